import Type from 'typebox';

import { assertStudyAccess, auditActor } from '../../../auth/principal.js';
import { recordAudit } from '../../../data/audit-log.js';
import { createConsent } from '../../../data/consents.js';
import { ValidationError } from '../../../errors.js';
import { principalOf } from '../../../http/authenticate.js';
import { errors, Label, Timestamp } from '../../../schemas/common.js';
import { PrivacyLevelBody } from '../../../schemas/wire.js';
import { generateParticipantId } from '../../../research/participant-id.js';
import {
  codeLookup,
  generateWithdrawalCode,
  checkWithdrawalCode,
} from '../../../research/withdrawal-code.js';
import { requireOpenStudy } from '../../../services/study-gate.js';
import { ingestRoles, type App, type RouteDeps } from '../../types.js';

const Fact = Type.Optional(
  Type.Union([
    Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '^[^\\p{Cc}]+$',
      description: 'coarse, non-identifying text, up to 100 characters',
    }),
    Type.Null(),
  ]),
);

const Body = Type.Object(
  {
    consent_version: Type.String({
      minLength: 1,
      maxLength: 50,
      pattern: '^[A-Za-z0-9_.-]+$',
      description: 'the version of the consent form shown: letters, digits, _, - or .',
    }),
    study_id: Type.Optional(Type.String({ description: 'needed with an admin key' })),
    privacy_level: Type.Optional(PrivacyLevelBody),
    ethics_protocol_id: Type.Optional(Type.Union([Label, Type.Null()])),
    age_range: Fact,
    condition: Fact,
    recruitment_site: Fact,
  },
  { additionalProperties: false },
);

const Reply = Type.Object({
  study_id: Type.String(),
  participant_id: Type.String({
    description: 'the pseudonym to use as unique_id of this participant’s sessions',
  }),
  withdrawal_code: Type.String({
    description: 'shown this once and never stored: give it to the participant',
  }),
  privacy_level: PrivacyLevelBody,
  consented_at: Timestamp,
});

export function createConsentRoute(app: App, { db, research }: RouteDeps): void {
  app.post(
    '/api/v1/research/consent',
    {
      config: { roles: ingestRoles },
      schema: {
        summary: 'Record a consent; answers the participant id and a withdrawal code, once',
        tags: ['research'],
        body: Body,
        response: { 201: Reply, ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const studyId = request.body.study_id ?? principal.studyId;
      if (studyId === null)
        throw new ValidationError('study_id', 'required', 'is required with an admin key');
      assertStudyAccess(principal, studyId);
      const study = await requireOpenStudy(db, studyId);

      const code = generateWithdrawalCode();
      const secret = (checkWithdrawalCode(code) as { secret: string }).secret;
      const consent = await db.transaction().execute(async (trx) => {
        const created = await createConsent(trx, {
          studyId,
          participantId: generateParticipantId(),
          codeLookup: codeLookup(research.withdrawalSecret, secret),
          privacyLevel: request.body.privacy_level ?? study.privacyLevel,
          ageRange: request.body.age_range ?? null,
          condition: request.body.condition ?? null,
          recruitmentSite: request.body.recruitment_site ?? null,
          consentVersion: request.body.consent_version,
          ethicsProtocolId: request.body.ethics_protocol_id ?? study.ethicsProtocolId,
        });
        await recordAudit(trx, { ...auditActor(principal), action: 'consent', studyId });
        return created;
      });
      return reply.status(201).send({
        study_id: consent.studyId,
        participant_id: consent.participantId,
        withdrawal_code: code,
        privacy_level: consent.privacyLevel,
        consented_at: consent.consentedAt.toISOString(),
      });
    },
  );
}
