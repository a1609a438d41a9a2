pragma circom 2.1.5;

include "circomlib/circuits/poseidon.circom";

// Membership: proves that the prover knows the identity secret behind one leaf of a
// census tree, and derives a nullifier that is unique per (scope, identity).
//
// Construction (the TypeScript in src/zk must match it exactly):
//
//   identityCommitment = Poseidon1(secret)
//   leaf               = Poseidon2(identityCommitment, attribute)
//   node(level + 1)    = Poseidon2(left, right)
//   nullifier          = Poseidon2(scope, secret)
//
// The tree is a fixed-depth binary Merkle tree padded with zeros: an empty leaf is 0
// and an empty subtree of height h + 1 is Poseidon2(zero(h), zero(h)). Leaf number
// `index` sits at the path whose bit i (least significant first) is pathIndices[i]:
// 0 puts the running node on the left and the sibling on the right, 1 the reverse.
//
// It proves, with public root, attribute, scope and message:
//   1. the leaf built from Poseidon1(secret) and the public attribute is in the tree
//      whose root is `root`, at the position given by the private path;
//   2. `nullifier` is Poseidon2(scope, secret), so one identity yields exactly one
//      nullifier per scope and nullifiers of different scopes cannot be linked;
//   3. the proof is bound to `message` (a ballot choice, a rating, a challenge): the
//      message takes part in a constraint, so changing it invalidates the proof.
//
// NOTE: the circuit does not check that `root` is a real census root; the verifier
//       must compare it with the pinned snapshot or a set of recent known roots.
// NOTE: the circuit does not check that `scope` is open or belongs to the right
//       proposal, rating period or challenge; the verifier checks it.
// NOTE: the circuit does not check that the nullifier is unused; the verifier stores
//       nullifiers and rejects repeats (never the proof bytes: Groth16 is malleable).
// NOTE: the attribute (weight, period id) is only committed to, not range-checked;
//       its meaning is the census's business.
// NOTE: a secret of 0 is not excluded here; identities are generated uniformly at
//       random in the field, and an empty leaf (0) is not the hash of any identity.
template Membership(depth) {
    // Public inputs, in the order they appear among the public signals after the
    // nullifier output: [nullifier, root, attribute, scope, message].
    signal input root;
    signal input attribute;
    signal input scope;
    signal input message;

    // Private inputs.
    signal input secret;
    signal input pathElements[depth];
    signal input pathIndices[depth];

    signal output nullifier;

    signal identityCommitment <== Poseidon(1)([secret]);
    signal leaf <== Poseidon(2)([identityCommitment, attribute]);

    signal nodes[depth + 1];
    signal lefts[depth];
    nodes[0] <== leaf;
    for (var level = 0; level < depth; level++) {
        // A path bit other than 0 or 1 would blend node and sibling; forbid it.
        pathIndices[level] * (pathIndices[level] - 1) === 0;
        // left = bit ? sibling : node, and right is whichever of the two is left over,
        // which costs one multiplication per level instead of two.
        lefts[level] <== nodes[level] + pathIndices[level] * (pathElements[level] - nodes[level]);
        nodes[level + 1] <== Poseidon(2)([lefts[level], nodes[level] + pathElements[level] - lefts[level]]);
    }
    root === nodes[depth];

    nullifier <== Poseidon(2)([scope, secret]);

    // The message enters no other constraint; squaring it keeps a constraint on it so
    // the compiler cannot optimise it away and the proof cannot be re-targeted to
    // another message (the same device Semaphore uses).
    signal messageSquare <== message * message;
}
