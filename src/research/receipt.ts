import {
  createHash,
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

/** What a participant gets when their data is erased; it names no one. */
export interface DeletionReceipt {
  type: 'webtics.deletion-receipt';
  version: 1;
  receipt_id: string;
  study_id: string;
  withdrawn_at: string;
  erased: { sessions: number; play_sessions: number; events: number; rejected_events: number };
  /** SHA-256 of the server's public key, to pick the right key for checking. */
  key_id: string;
}

export interface SignedReceipt {
  receipt: DeletionReceipt;
  /** Ed25519 over the canonical JSON of `receipt`, base64url. */
  signature: string;
}

// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410).
const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface ReceiptSigner {
  publicKey: KeyObject;
  keyId: string;
  publicKeyPem: string;
  sign(receipt: Omit<DeletionReceipt, 'key_id' | 'type' | 'version'>): SignedReceipt;
}

/** Sorted-key JSON: the exact bytes that are signed and checked. */
export function canonicalReceipt(receipt: DeletionReceipt): string {
  const sortKeys = (value: unknown): unknown =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
        )
      : value;
  return JSON.stringify(sortKeys(receipt));
}

/**
 * The receipt key is derived from the withdrawal secret, so every server
 * process of an installation signs with the same key and nothing else needs
 * storing. Its public half is published at /api/v1/research/receipt-key.
 */
export function receiptSigner(withdrawalSecret: string): ReceiptSigner {
  const seed = Buffer.from(
    hkdfSync('sha256', withdrawalSecret, 'webtics', 'deletion receipt signing key', 32),
  );
  const privateKey = createPrivateKey({
    key: Buffer.concat([pkcs8Prefix, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ format: 'der', type: 'spki' });
  const keyId = createHash('sha256').update(der).digest('hex').slice(0, 32);
  return {
    publicKey,
    keyId,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    sign(fields) {
      const receipt: DeletionReceipt = {
        type: 'webtics.deletion-receipt',
        version: 1,
        ...fields,
        key_id: keyId,
      };
      const signature = sign(null, Buffer.from(canonicalReceipt(receipt)), privateKey).toString(
        'base64url',
      );
      return { receipt, signature };
    },
  };
}

/** Checks a receipt against a public key (PEM), as anyone holding one can. */
export function verifyReceipt(signed: SignedReceipt, publicKeyPem: string): boolean {
  try {
    const key = createPublicKey(publicKeyPem);
    return verify(
      null,
      Buffer.from(canonicalReceipt(signed.receipt)),
      key,
      Buffer.from(signed.signature, 'base64url'),
    );
  } catch {
    return false;
  }
}
