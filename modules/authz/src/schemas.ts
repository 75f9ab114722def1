import { z } from 'zod';
import { PRIORITY_LIMIT } from './engine/model';
import { WEEKDAYS, isAttributePath, isTimeZone, parseCidr } from './engine/conditions';

/**
 * The policy and role documents, validated on write: a bad rule is refused with 400 naming the
 * field (`actions.2`, `conditions.ipRanges.0`, ...), never stored to fail at decision time.
 */
export const ROLE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const SUBJECT_ID = /^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,127}$/;
/** A literal or a prefix ending in one `*`; `*` elsewhere is refused (it would not mean a glob). */
const PATTERN = /^[A-Za-z0-9_.:/@-]{0,200}\*?$/;

export const roleName = z.string().regex(ROLE_NAME, 'Lowercase letters, digits, _ and -, 1-63 characters');
export const subjectId = z.string().regex(SUBJECT_ID, 'Letters, digits and _.@:- (1-128 characters)');

export const subjectPattern = z
  .string()
  .refine(
    (s) => s === '*' || (s.startsWith('role:') && ROLE_NAME.test(s.slice(5))) || (s.startsWith('user:') && SUBJECT_ID.test(s.slice(5))),
    'A subject is `role:<name>`, `user:<id>` or `*`',
  );

const pattern = (what: string) =>
  z
    .string()
    .min(1)
    .max(201)
    .regex(PATTERN, `${what}: letters, digits and _.:/@-, optionally ending in one * wildcard`);

export const actionPattern = pattern('An action such as `invoices:read` or `invoices:*`');
export const resourcePattern = pattern('A resource such as `invoice:123` or `invoice:*`');

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (24-hour)');

const attributePath = z.string().refine(isAttributePath, 'subject.<attr>, resource.<attr> or context.<attr>');

export const attributeConditionSchema = z
  .strictObject({
    attribute: attributePath,
    operator: z.enum(['equals', 'notEquals', 'in', 'notIn']),
    value: z.union([z.string().max(500), z.number(), z.boolean(), z.array(z.union([z.string().max(500), z.number()])).max(100)]).optional(),
    valueFrom: attributePath.optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.value === undefined) === (c.valueFrom === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'Give exactly one of value and valueFrom' });
    }
    if (c.value !== undefined && (c.operator === 'in' || c.operator === 'notIn') !== Array.isArray(c.value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${c.operator} takes ${Array.isArray(c.value) ? 'a single value' : 'an array'}` });
    }
  });

export const conditionsSchema = z
  .strictObject({
    ipRanges: z
      .array(z.string().refine((c) => parseCidr(c) !== null, 'A CIDR range such as 10.0.0.0/8 or 2001:db8::/32'))
      .min(1)
      .max(100)
      .optional(),
    timeWindow: z
      .strictObject({
        days: z.array(z.enum(WEEKDAYS)).min(1).max(7).optional(),
        hours: z.strictObject({ start: hhmm, end: hhmm }).optional(),
        timeZone: z.string().max(64).refine(isTimeZone, 'An IANA time zone such as Europe/Paris').optional(),
      })
      .refine((w) => w.days !== undefined || w.hours !== undefined, 'Give days, hours or both')
      .optional(),
    mfa: z.boolean().optional().describe('Require a multi-factor authentication'),
    attributes: z.array(attributeConditionSchema).min(1).max(20).optional(),
  })
  .describe('All given conditions must hold for the policy to apply');

/** A policy expands to subjects × actions × resources Casbin lines; keep one document bounded. */
export const MAX_LINES_PER_POLICY = 10_000;

const policyFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  effect: z.enum(['allow', 'deny']),
  priority: z.number().int().min(-PRIORITY_LIMIT).max(PRIORITY_LIMIT).default(0).describe('Higher decides; at equal priority deny wins'),
  subjects: z.array(subjectPattern).min(1).max(100),
  actions: z.array(actionPattern).min(1).max(100),
  resources: z.array(resourcePattern).min(1).max(100),
  organizationId: z.uuid().nullable().optional().describe('Applies only inside this organization; tenant-wide when absent'),
  conditions: conditionsSchema.nullable().optional(),
};

const boundedLines = (p: { subjects?: string[]; actions?: string[]; resources?: string[] }, ctx: z.RefinementCtx) => {
  if (p.subjects && p.actions && p.resources && p.subjects.length * p.actions.length * p.resources.length > MAX_LINES_PER_POLICY) {
    ctx.addIssue({ code: 'custom', path: ['resources'], message: `subjects × actions × resources must stay within ${MAX_LINES_PER_POLICY}` });
  }
};

export const createPolicyInput = z.object(policyFields).superRefine(boundedLines);

export const updatePolicyInput = z
  .object({
    id: z.uuid(),
    name: policyFields.name.optional(),
    description: policyFields.description,
    effect: policyFields.effect.optional(),
    priority: z.number().int().min(-PRIORITY_LIMIT).max(PRIORITY_LIMIT).optional(),
    subjects: policyFields.subjects.optional(),
    actions: policyFields.actions.optional(),
    resources: policyFields.resources.optional(),
    organizationId: policyFields.organizationId,
    conditions: policyFields.conditions,
  })
  .superRefine(boundedLines);

export type CreatePolicyInput = z.infer<typeof createPolicyInput>;
export type UpdatePolicyInput = z.infer<typeof updatePolicyInput>;
export type Conditions = z.infer<typeof conditionsSchema>;

export const policyOutput = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    effect: z.enum(['allow', 'deny']),
    priority: z.number().int(),
    subjects: z.array(z.string()),
    actions: z.array(z.string()),
    resources: z.array(z.string()),
    organizationId: z.uuid().nullable(),
    conditions: conditionsSchema.nullable(),
    revision: z.number().int().describe('Increases with every change of this policy'),
    policyVersion: z.number().int().describe("The tenant's policy version after the last change"),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Policy' });
export type PolicyDto = z.infer<typeof policyOutput>;

export const createRoleInput = z.object({
  name: roleName,
  description: z.string().max(2000).optional(),
  permissions: z.array(actionPattern).max(500).default([]),
  parents: z.array(roleName).max(20).default([]).describe('Roles whose permissions this role inherits'),
  organizationId: z.uuid().nullable().optional().describe('A role of this organization only; tenant-wide when absent'),
});
export type CreateRoleInput = z.infer<typeof createRoleInput>;

export const roleOutput = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    permissions: z.array(z.string()),
    parents: z.array(z.string()),
    organizationId: z.uuid().nullable(),
    builtin: z.boolean().describe('A default role (owner, admin, member, viewer); its permissions follow the catalog'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Role' });
export type RoleDto = z.infer<typeof roleOutput>;

export const assignmentInput = z.object({
  id: z.uuid().describe('The role id'),
  userId: subjectId.describe('The user (or API key / machine client) id'),
  organizationId: z.uuid().optional().describe('Assign inside this organization only'),
});

export const assignmentOutput = z
  .object({
    id: z.uuid(),
    roleId: z.uuid(),
    role: z.string(),
    userId: z.string(),
    organizationId: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'RoleAssignment' });
export type AssignmentDto = z.infer<typeof assignmentOutput>;

export const evaluationContext = z
  .looseObject({
    ip: z.union([z.ipv4(), z.ipv6()]).optional().describe('Client IP, for ipRanges conditions'),
    time: z.iso.datetime({ offset: true }).optional().describe('Evaluate at this instant (default now)'),
    mfa: z.boolean().optional().describe('The subject authenticated with more than one factor'),
    amr: z.array(z.string().max(50)).max(20).optional().describe('Authentication methods (RFC 8176); implies mfa when multi-factor'),
    organizationId: z.uuid().optional().describe('Decide inside this organization (domain)'),
    subject: z.record(z.string(), z.unknown()).optional().describe('Subject attributes'),
    resource: z.record(z.string(), z.unknown()).optional().describe('Resource attributes, e.g. { owner }'),
  })
  .describe('Request context: other keys are readable by conditions as context.<key>');

/** Decision inputs are compared, never executed; control characters are refused outright. */
const printable = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((v) => ![...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'No control characters');

export const evaluationRequest = z.object({
  subject: printable(200).describe('`user:<id>` (or any subject string)'),
  action: printable(200),
  resource: printable(500),
  context: evaluationContext.optional(),
  explain: z.boolean().optional().describe('Return the rules considered and why'),
});
export type EvaluationRequest = z.infer<typeof evaluationRequest>;

const traceEntry = z.object({
  source: z.string().describe('policy:<id> or role:<id>'),
  effect: z.enum(['allow', 'deny']),
  priority: z.number().int(),
  subject: z.string(),
  domain: z.string(),
  action: z.string(),
  resource: z.string(),
  conditions: z.union([z.literal(true), z.string()]).describe('true, or the condition that did not hold'),
  decisive: z.boolean(),
});

export const evaluationOutput = z
  .object({
    result: z.object({
      allow: z.boolean(),
      policyId: z.string().nullable().describe('The deciding policy (or null)'),
      roleId: z.string().nullable().describe('The role whose permission decided (or null)'),
      reason: z.string(),
    }),
    policyVersion: z.number().int(),
    decidedBy: z.enum(['engine', 'opa', 'timeout', 'error']),
    explanation: z
      .object({ roles: z.array(z.string()), rules: z.array(traceEntry) })
      .optional(),
  })
  .meta({ id: 'PolicyDecision' });
export type EvaluationOutput = z.infer<typeof evaluationOutput>;

export const settingsSchema = z.strictObject({
  opa: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }).describe('Base URL of the OPA server, e.g. http://opa:8181'),
      packagePath: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/, 'A data path such as plinto/authz')
        .describe('Queried as POST <url>/v1/data/<packagePath>'),
      timeoutMs: z.number().int().min(10).max(10_000).optional(),
    })
    .nullable()
    .optional()
    .describe('Delegate this tenant\'s decisions to OPA (fail closed); null to stop'),
  decisionLogSampleRate: z.number().min(0).max(1).optional().describe('Share of decisions written to the decision log (0-1)'),
});
export type AuthzSettings = z.infer<typeof settingsSchema>;

export const decisionLogEntry = z
  .object({
    id: z.uuid(),
    subject: z.string(),
    action: z.string(),
    resource: z.string(),
    organizationId: z.uuid().nullable(),
    allow: z.boolean(),
    source: z.string().nullable().describe('policy:<id> or role:<id> that decided'),
    decidedBy: z.string(),
    reason: z.string(),
    policyVersion: z.number().int(),
    input: z.record(z.string(), z.unknown()),
    occurredAt: z.iso.datetime(),
  })
  .meta({ id: 'PolicyDecisionLogEntry' });
export type DecisionLogEntry = z.infer<typeof decisionLogEntry>;
