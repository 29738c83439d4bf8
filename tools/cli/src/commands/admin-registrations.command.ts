import type { CliCommand } from '../cli-command.type';
import { adminApiCommand, queryString, readObject, requiredOption, segment, stringOption } from './admin-api.util';

const BASE = '/admin/v1/registrations';
const REFERENCE_HELP = 'The reference is the one returned at submission (REG-YYYYMMDD-XXXXXXXX).';

/** `lgsp admin registrations ...`: form 01 through the DGO's workflow. */
export const adminRegistrationsCommands: readonly CliCommand[] = [
  adminApiCommand({
    path: ['admin', 'registrations', 'list'],
    summary: 'List connection registrations, the soonest due first',
    usage: '[--status <status>] [--overdue]',
    description: 'Roles dgo-admin (all) or consumer (its own unit\'s). GET /admin/v1/registrations.',
    options: { status: { type: 'string' }, overdue: { type: 'boolean' } },
    optionsHelp: `  --status <status>          submitted, approved, rejected, sandbox, production-requested or production
  --overdue                  only submitted registrations past their 5-working-day answer date
`,
    request: (values) => ({ method: 'GET', path: `${BASE}${queryString({ status: stringOption(values, 'status'), overdue: values['overdue'] === true ? true : undefined })}` }),
  }),
  adminApiCommand({
    path: ['admin', 'registrations', 'show'],
    summary: 'Show one registration',
    usage: '<reference> [--follow-up-secret <secret>]',
    args: ['reference'],
    description: `Roles dgo-admin, consumer (its own unit's) — or no credentials with the follow-up secret
printed at submission. ${REFERENCE_HELP}`,
    options: { 'follow-up-secret': { type: 'string' } },
    optionsHelp: '  --follow-up-secret <secret>  sent as x-follow-up-secret, for a submitter without credentials\n',
    request: (values, args) => {
      const secret = stringOption(values, 'follow-up-secret');
      return { method: 'GET', path: `${BASE}/${segment(args['reference'])}`, ...(secret !== undefined && { headers: { 'x-follow-up-secret': secret } }) };
    },
  }),
  adminApiCommand({
    path: ['admin', 'registrations', 'submit'],
    summary: 'Submit a registration (form 01) from a JSON or YAML file',
    usage: '<form.json|form.yaml>',
    args: ['form'],
    description: `Roles consumer, dgo-admin — or no credentials at all (at most LGSP_REGISTRATIONS_PER_HOUR
per address and hour). The file holds the form's fields: organisation, representative,
technicalContact, system, security, maxClassification, connectionOption, data[, limits] (see
docs/registry.md). Prints the reference and the follow-up secret, shown this once.`,
    request: async (_values, args) => ({ method: 'POST', path: BASE, body: await readObject(args['form']) }),
  }),
  adminApiCommand({
    path: ['admin', 'registrations', 'approve'],
    summary: 'Approve a submitted registration, creating its consumer system',
    usage: '<reference> --consumer-id <id> [--organisation <unit>] [--grant-limits] [--note <text>]',
    args: ['reference'],
    description: 'Role dgo-admin. Creates the consumer system <id> (the `sub` of its tokens); issue its sandbox credentials next.',
    options: { 'consumer-id': { type: 'string' }, organisation: { type: 'string' }, 'grant-limits': { type: 'boolean' }, note: { type: 'string' } },
    optionsHelp: `  --consumer-id <id>         id of the consumer system to create, e.g. tu-ha-noi.qlcb (required)
  --organisation <unit>      the unit's code, when the form did not carry one
  --grant-limits             grant the rates the form asked for above the defaults
  --note <text>              a note for the unit
`,
    request: (values, args) => {
      const organisation = stringOption(values, 'organisation');
      const note = stringOption(values, 'note');
      return {
        method: 'POST',
        path: `${BASE}/${segment(args['reference'])}/approve`,
        body: {
          consumerId: requiredOption(values, 'consumer-id'),
          ...(organisation !== undefined && { organisation }),
          ...(values['grant-limits'] === true && { grantLimits: true }),
          ...(note !== undefined && { note }),
        },
      };
    },
  }),
  adminApiCommand({
    path: ['admin', 'registrations', 'reject'],
    summary: 'Reject a submitted registration',
    usage: '<reference> --reason <text>',
    args: ['reference'],
    description: 'Role dgo-admin. The unit reads the reason.',
    options: { reason: { type: 'string' } },
    optionsHelp: '  --reason <text>            why (required)\n',
    request: (values, args) => ({ method: 'POST', path: `${BASE}/${segment(args['reference'])}/reject`, body: { reason: requiredOption(values, 'reason') } }),
  }),
  adminApiCommand({
    path: ['admin', 'registrations', 'sandbox'],
    summary: 'Issue sandbox credentials to an approved registration',
    usage: '<reference>',
    args: ['reference'],
    description: 'Role dgo-admin. Subscribes the system in sandbox to the requested APIs and prints its sandbox Consumer Key and Secret Key; the secret is shown this once.',
    request: (_values, args) => ({ method: 'POST', path: `${BASE}/${segment(args['reference'])}/sandbox-credentials` }),
  }),
  adminApiCommand({
    path: ['admin', 'registrations', 'sandbox-tests-done'],
    summary: 'Record that the sandbox tests of a registration are done',
    usage: '<reference>',
    args: ['reference'],
    description: "Roles dgo-admin, consumer (its own unit's). Production access can be requested only afterwards.",
    request: (_values, args) => ({ method: 'POST', path: `${BASE}/${segment(args['reference'])}/sandbox-tests-done` }),
  }),
  adminApiCommand({
    path: ['admin', 'registrations', 'production-request'],
    summary: 'Request production access (attestation and form 02) from a JSON or YAML file',
    usage: '<reference> <request.json|request.yaml>',
    args: ['reference', 'file'],
    description: `Roles dgo-admin, consumer (its own unit's). The file holds securityAttestation and commitment
(signer, position, citizenId, citizenIdIssuedOn, citizenIdIssuedBy, documentReference).`,
    request: async (_values, args) => ({ method: 'POST', path: `${BASE}/${segment(args['reference'])}/production-request`, body: await readObject(args['file']) }),
  }),
  adminApiCommand({
    path: ['admin', 'registrations', 'production'],
    summary: 'Approve production access and issue production credentials',
    usage: '<reference>',
    args: ['reference'],
    description: 'Role dgo-admin. Prints the production Consumer Key and Secret Key; the secret is shown this once.',
    request: (_values, args) => ({ method: 'POST', path: `${BASE}/${segment(args['reference'])}/production-credentials` }),
  }),
];
