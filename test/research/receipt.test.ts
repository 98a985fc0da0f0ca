import { describe, expect, it } from 'vitest';

import { receiptSigner, verifyReceipt } from '../../src/research/receipt.js';

const fields = {
  receipt_id: '7d1f4c2e-0000-4000-8000-000000000001',
  study_id: 'alpha',
  withdrawn_at: '2026-12-04T12:00:00.000Z',
  erased: { sessions: 2, play_sessions: 3, events: 40, rejected_events: 1 },
};

describe('deletion receipts', () => {
  it('check against the published key', () => {
    const signer = receiptSigner('secret-one');

    expect(verifyReceipt(signer.sign(fields), signer.publicKeyPem)).toBe(true);
  });

  it('fail when any count is changed', () => {
    const signer = receiptSigner('secret-one');
    const signed = signer.sign(fields);
    const forged = {
      ...signed,
      receipt: { ...signed.receipt, erased: { ...signed.receipt.erased, events: 4 } },
    };

    expect(verifyReceipt(forged, signer.publicKeyPem)).toBe(false);
  });

  it('fail against another installation’s key', () => {
    const signed = receiptSigner('secret-one').sign(fields);

    expect(verifyReceipt(signed, receiptSigner('secret-two').publicKeyPem)).toBe(false);
  });

  it('are signed by the same key in every process with the same secret', () => {
    expect(receiptSigner('secret-one').keyId).toBe(receiptSigner('secret-one').keyId);
    expect(receiptSigner('secret-one').keyId).not.toBe(receiptSigner('secret-two').keyId);
  });

  it('say so instead of throwing when the key is not a key', () => {
    expect(verifyReceipt(receiptSigner('s').sign(fields), 'not a pem')).toBe(false);
  });
});
