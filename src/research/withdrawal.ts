import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';

import { recordAudit } from '../data/audit-log.js';
import { eraseParticipant, findConsentByCode, type Consent } from '../data/consents.js';
import type { Database } from '../db/schema.js';
import type { AppError } from '../errors.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { ReceiptSigner, SignedReceipt } from './receipt.js';
import { checkWithdrawalCode, codeLookup } from './withdrawal-code.js';

export interface ResearchContext {
  withdrawalSecret: string;
  signer: ReceiptSigner;
  /** Withdrawal and download attempts allowed per client address and minute. */
  codeAttemptsPerMinute: number;
}

/** The smallest time any code check answers in, whatever the outcome. */
export const codeAnswerFloorMs = 400;

async function refuse(
  db: Kysely<Database>,
  action: string,
  reason: string,
  error: AppError,
): Promise<never> {
  await recordAudit(db, { actor: 'participant', action, details: { outcome: reason } });
  throw error;
}

/** Finds the consent a code belongs to, or refuses (and records the refusal). */
async function consentFor(
  db: Kysely<Database>,
  context: ResearchContext,
  code: string,
  action: string,
) {
  const check = checkWithdrawalCode(code);
  if (!check.ok) {
    return refuse(db, action, check.rule, new ValidationError('code', check.rule, check.message));
  }
  const lookup = codeLookup(context.withdrawalSecret, check.secret);
  const consent = await findConsentByCode(db, lookup);
  if (consent === undefined) {
    return refuse(db, action, 'unknown', new NotFoundError('a consent with this code'));
  }
  return { consent, lookup };
}

function alreadyWithdrawn(consent: Consent): ConflictError {
  const when = consent.withdrawnAt?.toISOString() ?? 'earlier';
  return new ConflictError(
    'already_withdrawn',
    `this code was used to withdraw on ${when}; the data is erased`,
  );
}

/**
 * Withdraws a participant: in one transaction, erases all their data, marks
 * the consent withdrawn and writes an audit record with the counts. Answers a
 * receipt signed by the server, which names no one.
 */
export async function withdraw(
  db: Kysely<Database>,
  context: ResearchContext,
  code: string,
): Promise<SignedReceipt> {
  const { consent: found, lookup } = await consentFor(db, context, code, 'withdrawal.refused');
  if (found.withdrawnAt !== null)
    return refuse(db, 'withdrawal.refused', 'reused', alreadyWithdrawn(found));

  const result = await db.transaction().execute(async (trx) => {
    const consent = await findConsentByCode(trx, lookup);
    if (consent === undefined || consent.withdrawnAt !== null) return undefined;
    const erased = await eraseParticipant(trx, consent);
    await recordAudit(trx, {
      actor: 'participant',
      action: 'withdrawal',
      studyId: consent.studyId,
      details: { erased },
    });
    return { consent, erased };
  });
  // A second request with the same code that lost the race to the lock.
  if (result === undefined)
    return refuse(db, 'withdrawal.refused', 'reused', alreadyWithdrawn(found));

  return context.signer.sign({
    receipt_id: randomUUID(),
    study_id: result.consent.studyId,
    withdrawn_at: new Date().toISOString(),
    erased: result.erased,
  });
}

/** The consent of a still-active participant, for their own data download. */
export async function consentForDownload(
  db: Kysely<Database>,
  context: ResearchContext,
  code: string,
): Promise<Consent> {
  const { consent } = await consentFor(db, context, code, 'participant_download.refused');
  if (consent.withdrawnAt !== null) {
    return refuse(db, 'participant_download.refused', 'withdrawn', alreadyWithdrawn(consent));
  }
  await recordAudit(db, {
    actor: 'participant',
    action: 'participant_download',
    studyId: consent.studyId,
  });
  return consent;
}

/** Runs `work`, then waits until at least `floorMs` have passed, whether it succeeded or not. */
export async function withTimeFloor<T>(floorMs: number, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const wait = () =>
    new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, floorMs - (performance.now() - started))),
    );
  try {
    return await work();
  } finally {
    await wait();
  }
}
