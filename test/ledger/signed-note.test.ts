import { describe, expect, test } from '@jest/globals';
import { ed25519 } from '@noble/curves/ed25519.js';
import { formatCheckpointBody, parseCheckpointBody } from '../../src/ledger/checkpoint.ts';
import { cosignCheckpoint, cosignatureToNoteSignature, noteSignatureToCosignature, verifyCosignature } from '../../src/ledger/cosignature.ts';
import { fromHex } from '../../src/ledger/merkle-hash.ts';
import {
  formatNote,
  formatVerifierKey,
  noteHasValidSignature,
  parseNote,
  parseVerifierKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  signNoteText,
} from '../../src/ledger/signed-note.ts';

// The example of golang.org/x/mod/sumdb/note, which C2SP signed-note is derived from.
const PETER_SIGNER_KEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_NOTE = `${PETER_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

function peterPrivateKey(): Uint8Array {
  const material = Buffer.from(PETER_SIGNER_KEY.split('+').slice(4).join('+'), 'base64');
  expect(material[0]).toBe(SIGNATURE_TYPE_ED25519);
  return new Uint8Array(material.subarray(1));
}

describe('C2SP signed-note', () => {
  test('signs the sumdb/note example byte for byte', () => {
    const signature = signNoteText(PETER_TEXT, 'PeterNeumann', peterPrivateKey());
    expect(formatNote(PETER_TEXT, [signature])).toBe(PETER_NOTE);
  });

  test('derives the published verifier key, key hash included', () => {
    const publicKey = ed25519.getPublicKey(peterPrivateKey());
    expect(formatVerifierKey('PeterNeumann', SIGNATURE_TYPE_ED25519, publicKey)).toBe(PETER_VERIFIER_KEY);
    expect(parseVerifierKey(PETER_VERIFIER_KEY).publicKey).toEqual(publicKey);
  });

  test('verifies the example and rejects it after one character changes', () => {
    const { publicKey } = parseVerifierKey(PETER_VERIFIER_KEY);
    expect(noteHasValidSignature(parseNote(PETER_NOTE), 'PeterNeumann', publicKey)).toBe(true);
    const altered = PETER_NOTE.replace('cryptography', 'cryptographY');
    expect(noteHasValidSignature(parseNote(altered), 'PeterNeumann', publicKey)).toBe(false);
    expect(noteHasValidSignature(parseNote(PETER_NOTE), 'PeterNeumann2', publicKey)).toBe(false);
  });

  test('rejects malformed notes and verifier keys', () => {
    expect(() => parseNote(PETER_TEXT)).toThrow();
    expect(() => parseNote(PETER_NOTE.replace('— ', '- '))).toThrow();
    expect(() => parseNote(PETER_NOTE.slice(0, -1))).toThrow();
    expect(() => parseVerifierKey(PETER_VERIFIER_KEY.replace('c74f20a3', 'c74f20a4'))).toThrow();
    expect(() => signNoteText('no newline', 'name', peterPrivateKey())).toThrow();
    expect(() => signNoteText('text\n', 'bad name', peterPrivateKey())).toThrow();
  });

  test('refuses a verifier key whose public key is the all-zero (small-order) point', () => {
    const zero = new Uint8Array(32);
    expect(() => parseVerifierKey(formatVerifierKey('example.com/zero', SIGNATURE_TYPE_ED25519, zero))).toThrow(/small order/u);
  });
});

describe('C2SP tlog-checkpoint', () => {
  const root = fromHex('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');

  test('formats origin, decimal size and base64 root, one per line', () => {
    const text = formatCheckpointBody({ origin: 'example.org/c/1', treeSize: 8, rootHash: root, extensions: [] });
    expect(text).toBe('example.org/c/1\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n');
    expect(parseCheckpointBody(text)).toEqual({ origin: 'example.org/c/1', treeSize: 8, rootHash: root, extensions: [] });
  });

  test('keeps extension lines and rejects leading zeros, short roots and missing newlines', () => {
    const text = formatCheckpointBody({ origin: 'o', treeSize: 0, rootHash: root, extensions: ['ext one'] });
    expect(parseCheckpointBody(text).extensions).toEqual(['ext one']);
    expect(() => parseCheckpointBody('o\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n')).toThrow();
    expect(() => parseCheckpointBody('o\n8\nXcna\n')).toThrow();
    expect(() => parseCheckpointBody('o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=')).toThrow();
    expect(() => parseCheckpointBody('\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n')).toThrow();
  });
});

describe('C2SP tlog-cosignature', () => {
  const witnessPrivateKey = fromHex('11'.repeat(32));
  const witnessPublicKey = ed25519.getPublicKey(witnessPrivateKey);
  const body = 'example.org/c/1\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n';

  test('signs "cosignature/v1", the time line and the checkpoint body', () => {
    const cosignature = cosignCheckpoint(body, 'witness.example/w1', witnessPrivateKey, 1_700_000_000);
    const message = new TextEncoder().encode(`cosignature/v1\ntime 1700000000\n${body}`);
    expect(ed25519.verify(cosignature.signature, message, witnessPublicKey)).toBe(true);
    expect(verifyCosignature(body, cosignature, witnessPublicKey)).toBe(true);
  });

  test('encodes key hash of type 0x04, big-endian timestamp and signature in the note line', () => {
    const cosignature = cosignCheckpoint(body, 'witness.example/w1', witnessPrivateKey, 1_700_000_000);
    const line = cosignatureToNoteSignature(cosignature, witnessPublicKey);
    expect(line.signatureBody.length).toBe(72);
    expect(Buffer.from(line.signatureBody.subarray(0, 8)).readBigUInt64BE()).toBe(1_700_000_000n);
    expect(formatVerifierKey('witness.example/w1', SIGNATURE_TYPE_COSIGNATURE_V1, witnessPublicKey)).toMatch(/^witness\.example\/w1\+[0-9a-f]{8}\+B[A-P]/);
    const note = formatNote(body, [line]);
    const parsed = parseNote(note);
    expect(noteSignatureToCosignature(parsed.signatures[0]!, witnessPublicKey)).toEqual(cosignature);
    expect(noteSignatureToCosignature(parsed.signatures[0]!, ed25519.getPublicKey(fromHex('22'.repeat(32))))).toBeUndefined();
  });

  test('rejects a cosignature over another body, another time or from another key', () => {
    const cosignature = cosignCheckpoint(body, 'witness.example/w1', witnessPrivateKey, 1_700_000_000);
    expect(verifyCosignature(body.replace('\n8\n', '\n9\n'), cosignature, witnessPublicKey)).toBe(false);
    expect(verifyCosignature(body, { ...cosignature, timestampSeconds: 1_700_000_001 }, witnessPublicKey)).toBe(false);
    expect(verifyCosignature(body, cosignature, ed25519.getPublicKey(fromHex('22'.repeat(32))))).toBe(false);
  });
});
