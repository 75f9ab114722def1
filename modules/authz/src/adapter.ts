import type { BatchAdapter, FilteredAdapter, Model } from 'casbin';
import type { EntityManager } from '@plinto/kernel';

/** Which lines to load; the adapter is always bound to one tenant. */
export interface RuleFilter {
  ptype?: 'p' | 'g';
}

/** What a write did, so every process can apply the same change to its compiled policy. */
export type AdapterOp =
  | { op: 'add'; ptype: 'p' | 'g'; rules: string[][] }
  | { op: 'removeFiltered'; ptype: 'p' | 'g'; fieldIndex: number; values: string[] }
  /** Anything else: processes reload the tenant's policy in full. */
  | { op: 'reset' };

const FIELDS = ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6'] as const;
/** Rows per multi-row INSERT (8 parameters each, well under PostgreSQL's 65535). */
const INSERT_CHUNK = 2000;

/**
 * Casbin adapter storing one tenant's lines in PostgreSQL (`authz_rules`) through MikroORM.
 * It writes with the EntityManager it is given, so lines change in the caller's transaction
 * together with the policy documents and the audit events. Loading pushes rows straight into the
 * model (Casbin's own addPolicy deduplicates by scanning, which is quadratic at 100,000 lines).
 */
export class MikroOrmCasbinAdapter implements FilteredAdapter, BatchAdapter {
  constructor(
    private readonly em: EntityManager,
    private readonly tenantId: string,
    /** When given, every write is also appended here (see `PolicyDelta`). */
    private readonly recorder?: AdapterOp[],
  ) {}

  isFiltered(): boolean {
    return true;
  }

  async loadPolicy(model: Model): Promise<void> {
    await this.loadFilteredPolicy(model, {});
  }

  async loadFilteredPolicy(model: Model, filter: RuleFilter = {}): Promise<void> {
    for (const [ptype, line] of await this.readLines(filter)) {
      model.model.get(ptype)?.get(ptype)?.policy.push(line);
    }
  }

  /** The tenant's lines as [ptype, values], trailing empty fields trimmed as Casbin expects. */
  async readLines(filter: RuleFilter = {}): Promise<['p' | 'g', string[]][]> {
    const rows: Record<string, string>[] = await this.em.execute(
      `select ptype, v0, v1, v2, v3, v4, v5, v6 from authz_rules where tenant_id = ?${filter.ptype ? ' and ptype = ?' : ''} order by id`,
      filter.ptype ? [this.tenantId, filter.ptype] : [this.tenantId],
    );
    return rows.map((row) => {
      const values = FIELDS.map((f) => row[f] ?? '');
      while (values.length > 0 && values[values.length - 1] === '') values.pop();
      return [row.ptype as 'p' | 'g', values];
    });
  }

  /** Replaces every line of the tenant with the model's. */
  async savePolicy(model: Model): Promise<boolean> {
    this.recorder?.push({ op: 'reset' });
    await this.em.execute('delete from authz_rules where tenant_id = ?', [this.tenantId]);
    for (const ptype of ['p', 'g'] as const) {
      const lines = model.model.get(ptype)?.get(ptype)?.policy ?? [];
      await this.addPolicies(ptype, ptype, lines);
    }
    return true;
  }

  async addPolicy(sec: string, ptype: string, rule: string[]): Promise<void> {
    await this.addPolicies(sec, ptype, [rule]);
  }

  async addPolicies(_sec: string, ptype: string, rules: string[][]): Promise<void> {
    if (rules.length > 0) this.recorder?.push({ op: 'add', ptype: ptype as 'p' | 'g', rules: rules.map((r) => [...r]) });
    for (let i = 0; i < rules.length; i += INSERT_CHUNK) {
      const chunk = rules.slice(i, i + INSERT_CHUNK);
      const params: string[] = [];
      const rows = chunk.map((rule) => {
        params.push(this.tenantId, ptype, ...FIELDS.map((_, j) => rule[j] ?? ''));
        return '(?, ?, ?, ?, ?, ?, ?, ?, ?)';
      });
      await this.em.execute(`insert into authz_rules (tenant_id, ptype, ${FIELDS.join(', ')}) values ${rows.join(', ')}`, params);
    }
  }

  async removePolicy(sec: string, ptype: string, rule: string[]): Promise<void> {
    await this.removeFilteredPolicy(sec, ptype, 0, ...rule);
  }

  async removePolicies(sec: string, ptype: string, rules: string[][]): Promise<void> {
    for (const rule of rules) await this.removePolicy(sec, ptype, rule);
  }

  /** Removes the lines whose fields from `fieldIndex` on equal `fieldValues` ('' matches any). */
  async removeFilteredPolicy(_sec: string, ptype: string, fieldIndex: number, ...fieldValues: string[]): Promise<void> {
    this.recorder?.push({ op: 'removeFiltered', ptype: ptype as 'p' | 'g', fieldIndex, values: fieldValues });
    const where = ['tenant_id = ?', 'ptype = ?'];
    const params: string[] = [this.tenantId, ptype];
    fieldValues.forEach((value, i) => {
      const field = FIELDS[fieldIndex + i];
      if (value !== '' && field) {
        where.push(`${field} = ?`);
        params.push(value);
      }
    });
    await this.em.execute(`delete from authz_rules where ${where.join(' and ')}`, params);
  }
}
