pragma circom 2.1.5;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/compconstant.circom";
include "circomlib/circuits/escalarmulfix.circom";
include "circomlib/circuits/escalarmulany.circom";
include "circomlib/circuits/babyjub.circom";
include "membership.circom";

// Encrypted-weight ballot (issue 15): the membership statement with the attribute (the
// owner's area) private, plus an exponential ElGamal encryption of that area on Baby
// Jubjub under the election public key. The TypeScript in
// src/governance/encrypted-weights/elgamal.ts (encryptWeight) must match it exactly:
//
//   leaf = Poseidon2(Poseidon1(secret), area)         in the tree whose root is `root`
//   nullifier = Poseidon2(scope, secret)              (the Membership template, reused)
//   C1 = r · Base8                                    EscalarMulFix(251, Base8)
//   C2 = area · Base8 + r · PK                        EscalarMulFix(40, Base8), EscalarMulAny(251), BabyAdd
//
// with 0 ≤ area < 2^40 and 1 ≤ r < l (l, the order of Base8's subgroup, is below 2^251).
//
// Public signals, in snarkjs order (outputs first, then the public inputs):
//   [nullifier, c1x, c1y, c2x, c2y, root, scope, message, pkx, pky]
//
// NOTE: the election key PK is not checked here. The verifier must compare it with the
//       proposal's key, which was validated in the subgroup and not the identity when it
//       was recorded: circomlib's EscalarMulAny treats any point with x = 0 as the
//       identity and assumes its input is in the subgroup.
// NOTE: everything the Membership template's NOTE lines leave to the verifier (root,
//       scope, unused nullifier) is still the verifier's business.
// NOTE: area = 0 is allowed (it encrypts to C2 = r · PK); whether a zero-area owner may
//       vote is the census's business, as for public weights.
template EncryptedBallot(depth) {
    // Public inputs.
    signal input root;
    signal input scope;
    signal input message;
    signal input electionKey[2];

    // Private inputs.
    signal input secret;
    signal input area;
    signal input randomness;
    signal input pathElements[depth];
    signal input pathIndices[depth];

    signal output nullifier;
    signal output c1[2];
    signal output c2[2];

    // The area is the leaf's attribute, private here.
    component membership = Membership(depth);
    membership.root <== root;
    membership.attribute <== area;
    membership.scope <== scope;
    membership.message <== message;
    membership.secret <== secret;
    membership.pathElements <== pathElements;
    membership.pathIndices <== pathIndices;
    nullifier <== membership.nullifier;

    // 40 bits: MAX_ENCRYPTED_WEIGHT = 2^40 - 1, which the discrete-log bound assumes.
    signal areaBits[40] <== Num2Bits(40)(area);

    // r in [1, l): 251 bits, not above l - 1, not zero. The bits are unique because
    // 2^251 is below the field modulus, and C1 is never the identity.
    signal randomnessBits[251] <== Num2Bits(251)(randomness);
    component belowOrder = CompConstant(2736030358979909402780800718157159386076813972158567259200215660948447373040);
    for (var i = 0; i < 254; i++) {
        belowOrder.in[i] <== i < 251 ? randomnessBits[i] : 0;
    }
    belowOrder.out === 0;
    signal randomnessInverse <-- randomness != 0 ? 1 / randomness : 0;
    randomness * randomnessInverse === 1;

    var BASE8[2] = [
        5299619240641551281634865583518297030282874472190772894086521144482721001553,
        16950150798460657717958625567821834550301663161624707787222815936182638968203
    ];

    c1 <== EscalarMulFix(251, BASE8)(randomnessBits);

    signal weightPoint[2] <== EscalarMulFix(40, BASE8)(areaBits);
    signal sharedPoint[2] <== EscalarMulAny(251)(randomnessBits, electionKey);
    (c2[0], c2[1]) <== BabyAdd()(weightPoint[0], weightPoint[1], sharedPoint[0], sharedPoint[1]);
}
