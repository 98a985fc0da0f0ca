import Type from 'typebox';

import type { StudyFields } from '../../../data/studies.js';
import { Label } from '../../../schemas/common.js';
import { PrivacyLevelBody } from '../../../schemas/wire.js';

const nullable = <T extends Type.TSchema>(schema: T) =>
  Type.Optional(Type.Union([schema, Type.Null()]));
const CalendarDate = Type.String({ format: 'date', description: 'a calendar date, YYYY-MM-DD' });

/** The fields a study's owner sets; null clears an optional one. */
export const StudyFieldsBody = {
  title: Type.Optional(Label),
  ethics_protocol_id: nullable(Label),
  ethics_approved_on: nullable(CalendarDate),
  ethics_expires_on: nullable(CalendarDate),
  principal_investigator: nullable(Label),
  institution: nullable(Label),
  contact: nullable(Label),
  privacy_level: Type.Optional(PrivacyLevelBody),
  retention_days: nullable(
    Type.Integer({
      minimum: 1,
      maximum: 36_500,
      description: 'days data is kept; null: until purged by hand',
    }),
  ),
  requires_consent: Type.Optional(
    Type.Boolean({ description: 'open sessions only for participants with an active consent' }),
  ),
};

type FieldsInput = {
  title?: string;
  ethics_protocol_id?: string | null;
  ethics_approved_on?: string | null;
  ethics_expires_on?: string | null;
  principal_investigator?: string | null;
  institution?: string | null;
  contact?: string | null;
  privacy_level?: StudyFields['privacyLevel'];
  retention_days?: number | null;
  requires_consent?: boolean;
};

/** Wire names to field names; a field left out stays undefined (unchanged on update). */
export function fieldsFrom(body: FieldsInput): Partial<StudyFields> {
  return {
    title: body.title,
    ethicsProtocolId: body.ethics_protocol_id,
    ethicsApprovedOn: body.ethics_approved_on,
    ethicsExpiresOn: body.ethics_expires_on,
    principalInvestigator: body.principal_investigator,
    institution: body.institution,
    contact: body.contact,
    privacyLevel: body.privacy_level,
    retentionDays: body.retention_days,
    requiresConsent: body.requires_consent,
  };
}

/** The names of the fields a request set, for the audit trail (values may be personal). */
export function changedFields(body: object): string[] {
  return Object.keys(body).sort();
}
