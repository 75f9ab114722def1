import { Migration } from '@plinto/kernel';

export class Migration20261206000100EmailTemplates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table email_templates (
        tenant_id uuid not null references tenants (id) on delete cascade,
        template text not null,
        subject text not null,
        text_body text not null,
        html_body text not null,
        updated_at timestamptz not null default now(),
        updated_by text,
        primary key (tenant_id, template)
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table email_templates');
  }
}

export const emailMigrations = [{ name: 'Migration20261206000100_email_templates', class: Migration20261206000100EmailTemplates }];
