import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class DeploymentApps1766300000000 implements MigrationInterface {
  name = 'DeploymentApps1766300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // What a deployment runs ({image, version, port, healthPath}); null for the bare servers of deployments made
    // before apps, which keep being reconciled as bare servers.
    await queryRunner.query(`ALTER TABLE deployments ADD COLUMN app jsonb`);
    // Its volumes, [{name, sizeGb, mountPath}].
    await queryRunner.query(`ALTER TABLE deployments ADD COLUMN volumes jsonb NOT NULL DEFAULT '[]'`);
    // Which rollout of the app the deployment is at: a new app (PATCH) is a new generation, run on a new server.
    await queryRunner.query(`ALTER TABLE deployments ADD COLUMN generation integer NOT NULL DEFAULT 1
      CHECK (generation >= 1)`);
    // Intents now cover every kind of resource a deployment creates, and the changes it makes to them.
    await queryRunner.query(`ALTER TABLE provider_operations DROP CONSTRAINT provider_operations_kind_check`);
    await queryRunner.query(`ALTER TABLE provider_operations ADD CONSTRAINT provider_operations_kind_check
      CHECK (kind IN ('create', 'delete', 'create_firewall', 'delete_firewall', 'create_volume', 'delete_volume',
                      'create_dns_record', 'update_dns_record', 'delete_dns_record', 'power_off', 'power_on',
                      'resize', 'attach_volume', 'detach_volume'))`);
    // The rate each stretch of uptime earns, fixed when it opens: a resize changes the deployment's rate for the
    // stretches after it, never for those before.
    await queryRunner.query(`ALTER TABLE deployment_uptime ADD COLUMN points_per_second bigint
      CHECK (points_per_second >= 0)`);
    await queryRunner.query(`UPDATE deployment_uptime u SET points_per_second = d.points_per_second
      FROM deployments d WHERE d.id = u.deployment_id`);
    await queryRunner.query(`ALTER TABLE deployment_uptime ALTER COLUMN points_per_second SET NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE deployment_uptime DROP COLUMN points_per_second`);
    await queryRunner.query(`ALTER TABLE deployments DROP COLUMN generation`);
    await queryRunner.query(`ALTER TABLE provider_operations DROP CONSTRAINT provider_operations_kind_check`);
    await queryRunner.query(`ALTER TABLE provider_operations ADD CONSTRAINT provider_operations_kind_check
      CHECK (kind IN ('create', 'delete'))`);
    await queryRunner.query(`ALTER TABLE deployments DROP COLUMN volumes`);
    await queryRunner.query(`ALTER TABLE deployments DROP COLUMN app`);
  }
}
