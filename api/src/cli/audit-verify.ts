import { ConfigError, createLogger, createOrm, loadConfig } from '@plinto/kernel';
import { verifyChain } from '@plinto/audit';
import { findTenantBySlug } from '@plinto/tenants';
import { configSections, platformSchema } from '@plinto/platform';

/**
 * `pnpm audit:verify [tenant-slug]` — recomputes a tenant's audit hash chain (default tenant:
 * `default`) and prints the report. Exits 1 when the chain is broken, naming the first edited,
 * inserted or removed event.
 */
try {
  const config = loadConfig(process.env, configSections);
  const orm = await createOrm(config, platformSchema, createLogger({ LOG_LEVEL: 'silent' }, 'audit-verify'));
  try {
    const slug = process.argv[2] ?? 'default';
    const tenant = await findTenantBySlug(orm.em.fork(), slug);
    if (!tenant) {
      console.error(`No tenant with slug ${slug}`);
      process.exitCode = 2;
    } else {
      const report = await verifyChain(orm.em.fork(), tenant.id);
      console.log(JSON.stringify({ tenant: slug, ...report }, null, 2));
      if (!report.ok) process.exitCode = 1;
    }
  } finally {
    await orm.close();
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
