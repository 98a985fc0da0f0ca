import Type from 'typebox';

import { participantData } from '../../../data/consents.js';
import { errors } from '../../../schemas/common.js';
import {
  EventBody,
  eventBody,
  PlaySessionBody,
  playSessionBody,
  SessionBody,
  sessionBody,
} from '../../../schemas/wire.js';
import {
  codeAnswerFloorMs,
  consentForDownload,
  withdraw,
  withTimeFloor,
} from '../../../research/withdrawal.js';
import type { App, RouteDeps } from '../../types.js';

const CodeBody = Type.Object(
  {
    code: Type.String({ maxLength: 100, description: 'the withdrawal code, as given at consent' }),
  },
  { additionalProperties: false },
);

const Counts = Type.Object({
  sessions: Type.Integer(),
  play_sessions: Type.Integer(),
  events: Type.Integer(),
  rejected_events: Type.Integer(),
});

const Receipt = Type.Object({
  receipt: Type.Object({
    type: Type.Literal('webtics.deletion-receipt'),
    version: Type.Literal(1),
    receipt_id: Type.String(),
    study_id: Type.String(),
    withdrawn_at: Type.String(),
    erased: Counts,
    key_id: Type.String(),
  }),
  signature: Type.String({ description: 'Ed25519 over the receipt as sorted-key JSON, base64url' }),
});

const Download = Type.Object({
  consent: Type.Object({
    study_id: Type.String(),
    participant_id: Type.String(),
    privacy_level: Type.String(),
    age_range: Type.Union([Type.String(), Type.Null()]),
    condition: Type.Union([Type.String(), Type.Null()]),
    recruitment_site: Type.Union([Type.String(), Type.Null()]),
    consent_version: Type.String(),
    ethics_protocol_id: Type.Union([Type.String(), Type.Null()]),
    consented_at: Type.String(),
  }),
  sessions: Type.Array(SessionBody),
  play_sessions: Type.Array(PlaySessionBody),
  events: Type.Array(EventBody),
});

// Participants hold only a code: these routes need no key, answer every
// outcome in the same time, and are limited to a few attempts per client.
export function participantRoutes(app: App, { db, research }: RouteDeps): void {
  const participantConfig = { public: true, rateLimitPerMinute: research.codeAttemptsPerMinute };

  app.post(
    '/api/v1/research/withdraw',
    {
      config: participantConfig,
      schema: {
        summary: 'Withdraw and erase all of a participant’s data, with their code',
        description:
          'In one transaction erases every session, play session, event and rejected-event record of the ' +
          'participant and marks the consent withdrawn. Answers a receipt signed by the server; check it ' +
          'with the key at /api/v1/research/receipt-key. 400 for a malformed or mistyped code, 404 for an ' +
          'unknown one, 409 for a code already used.',
        tags: ['participant'],
        body: CodeBody,
        response: { 200: Receipt, ...errors(400, 404, 409, 413, 415, 429) },
      },
    },
    async (request) =>
      withTimeFloor(codeAnswerFloorMs, () => withdraw(db, research, request.body.code)),
  );

  app.post(
    '/api/v1/research/my-data',
    {
      config: participantConfig,
      schema: {
        summary: 'Download all of a participant’s data, with their code',
        description: 'The code goes in the body, never in the URL.',
        tags: ['participant'],
        body: CodeBody,
        response: { 200: Download, ...errors(400, 404, 409, 413, 415, 429) },
      },
    },
    async (request) =>
      withTimeFloor(codeAnswerFloorMs, async () => {
        const consent = await consentForDownload(db, research, request.body.code);
        const data = await participantData(db, consent);
        return {
          consent: {
            study_id: consent.studyId,
            participant_id: consent.participantId,
            privacy_level: consent.privacyLevel,
            age_range: consent.ageRange,
            condition: consent.condition,
            recruitment_site: consent.recruitmentSite,
            consent_version: consent.consentVersion,
            ethics_protocol_id: consent.ethicsProtocolId,
            consented_at: consent.consentedAt.toISOString(),
          },
          sessions: data.sessions.map(sessionBody),
          play_sessions: data.playSessions.map(playSessionBody),
          events: data.events.map(eventBody),
        };
      }),
  );

  app.get(
    '/api/v1/research/receipt-key',
    {
      config: { public: true },
      schema: {
        summary: 'The public key that checks deletion receipts',
        tags: ['participant'],
        response: {
          200: Type.Object({
            algorithm: Type.Literal('Ed25519'),
            key_id: Type.String(),
            public_key_pem: Type.String(),
          }),
        },
      },
    },
    async () => ({
      algorithm: 'Ed25519' as const,
      key_id: research.signer.keyId,
      public_key_pem: research.signer.publicKeyPem,
    }),
  );
}
