import type { DialectName } from '../dialect/synchro-dialect';

/**
 * The SQL that creates the library's tables (schema version 1), per dialect. It is exactly what
 * TypeORM's `synchronize` creates from {@link synchroEntities}, so both routes give the same tables;
 * `typeorm-synchro migration:create` writes it into a migration file of the user's own.
 */
export const SYNCHRO_MIGRATION_SQL: Record<DialectName, { up: readonly string[]; down: readonly string[] }> =
  {
    sqlite: {
      up: [
        'CREATE TABLE "synchro_node" ("name" varchar(16) PRIMARY KEY NOT NULL, "node_id" varchar(36) NOT NULL, "schema_version" integer NOT NULL)',
        'CREATE TABLE "synchro_log" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "entity" varchar(100) NOT NULL, "object_key" varchar(600) NOT NULL, "action" varchar(8) NOT NULL, "at_ms" bigint NOT NULL, "natural_key" text NOT NULL)',
        'CREATE INDEX "IX_synchro_log_object" ON "synchro_log" ("entity", "object_key", "id")',
        'CREATE TABLE "synchro_id_map" ("peer" varchar(36) NOT NULL, "entity" varchar(100) NOT NULL, "local_key" varchar(600) NOT NULL, "peer_key" varchar(600) NOT NULL, PRIMARY KEY ("peer", "entity", "local_key"))',
        'CREATE INDEX "IX_synchro_id_map_peer_key" ON "synchro_id_map" ("peer", "entity", "peer_key")',
        'CREATE TABLE "synchro_cursor" ("peer" varchar(36) NOT NULL, "direction" varchar(8) NOT NULL, "log_id" bigint NOT NULL, "at_ms" bigint NOT NULL, PRIMARY KEY ("peer", "direction"))',
        'CREATE TABLE "synchro_retry" ("peer" varchar(36) NOT NULL, "entity" varchar(100) NOT NULL, "object_key" varchar(600) NOT NULL, "reason" text NOT NULL, "code" varchar(40) NOT NULL, "at_ms" bigint NOT NULL, PRIMARY KEY ("peer", "entity", "object_key"))',
        'CREATE TABLE "synchro_lease" ("name" varchar(32) PRIMARY KEY NOT NULL, "owner" varchar(36) NOT NULL, "expires_at" bigint NOT NULL)',
      ],
      down: [
        'DROP TABLE "synchro_lease"',
        'DROP TABLE "synchro_retry"',
        'DROP TABLE "synchro_cursor"',
        'DROP TABLE "synchro_id_map"',
        'DROP TABLE "synchro_log"',
        'DROP TABLE "synchro_node"',
      ],
    },
    postgres: {
      up: [
        'CREATE TABLE "synchro_node" ("name" character varying(16) NOT NULL, "node_id" character varying(36) NOT NULL, "schema_version" integer NOT NULL, CONSTRAINT "PK_bd82ae4bb647a1ce8afda257343" PRIMARY KEY ("name"))',
        'CREATE TABLE "synchro_log" ("id" BIGSERIAL NOT NULL, "entity" character varying(100) NOT NULL, "object_key" character varying(600) NOT NULL, "action" character varying(8) NOT NULL, "at_ms" bigint NOT NULL, "natural_key" text NOT NULL, CONSTRAINT "PK_bffa7102dac83f513ab47787fd7" PRIMARY KEY ("id"))',
        'CREATE INDEX "IX_synchro_log_object" ON "synchro_log" ("entity", "object_key", "id")',
        'CREATE TABLE "synchro_id_map" ("peer" character varying(36) NOT NULL, "entity" character varying(100) NOT NULL, "local_key" character varying(600) NOT NULL, "peer_key" character varying(600) NOT NULL, CONSTRAINT "PK_162b793910782b905eb0a072cda" PRIMARY KEY ("peer", "entity", "local_key"))',
        'CREATE INDEX "IX_synchro_id_map_peer_key" ON "synchro_id_map" ("peer", "entity", "peer_key")',
        'CREATE TABLE "synchro_cursor" ("peer" character varying(36) NOT NULL, "direction" character varying(8) NOT NULL, "log_id" bigint NOT NULL, "at_ms" bigint NOT NULL, CONSTRAINT "PK_68c53e0e90061ea0cefecede90d" PRIMARY KEY ("peer", "direction"))',
        'CREATE TABLE "synchro_retry" ("peer" character varying(36) NOT NULL, "entity" character varying(100) NOT NULL, "object_key" character varying(600) NOT NULL, "reason" text NOT NULL, "code" character varying(40) NOT NULL, "at_ms" bigint NOT NULL, CONSTRAINT "PK_982923795dd17ec503cf76c51dd" PRIMARY KEY ("peer", "entity", "object_key"))',
        'CREATE TABLE "synchro_lease" ("name" character varying(32) NOT NULL, "owner" character varying(36) NOT NULL, "expires_at" bigint NOT NULL, CONSTRAINT "PK_b97ab1676e83ee545f5411a35a1" PRIMARY KEY ("name"))',
      ],
      down: [
        'DROP TABLE "synchro_lease"',
        'DROP TABLE "synchro_retry"',
        'DROP TABLE "synchro_cursor"',
        'DROP TABLE "synchro_id_map"',
        'DROP TABLE "synchro_log"',
        'DROP TABLE "synchro_node"',
      ],
    },
    mysql: {
      up: [
        'CREATE TABLE `synchro_node` (`name` varchar(16) NOT NULL, `node_id` varchar(36) NOT NULL, `schema_version` int NOT NULL, PRIMARY KEY (`name`)) ENGINE=InnoDB',
        'CREATE TABLE `synchro_log` (`id` bigint NOT NULL AUTO_INCREMENT, `entity` varchar(100) NOT NULL, `object_key` varchar(600) NOT NULL, `action` varchar(8) NOT NULL, `at_ms` bigint NOT NULL, `natural_key` text NOT NULL, INDEX `IX_synchro_log_object` (`entity`, `object_key`, `id`), PRIMARY KEY (`id`)) ENGINE=InnoDB',
        'CREATE TABLE `synchro_id_map` (`peer` varchar(36) NOT NULL, `entity` varchar(100) NOT NULL, `local_key` varchar(600) NOT NULL, `peer_key` varchar(600) NOT NULL, INDEX `IX_synchro_id_map_peer_key` (`peer`, `entity`, `peer_key`), PRIMARY KEY (`peer`, `entity`, `local_key`)) ENGINE=InnoDB',
        'CREATE TABLE `synchro_cursor` (`peer` varchar(36) NOT NULL, `direction` varchar(8) NOT NULL, `log_id` bigint NOT NULL, `at_ms` bigint NOT NULL, PRIMARY KEY (`peer`, `direction`)) ENGINE=InnoDB',
        'CREATE TABLE `synchro_retry` (`peer` varchar(36) NOT NULL, `entity` varchar(100) NOT NULL, `object_key` varchar(600) NOT NULL, `reason` text NOT NULL, `code` varchar(40) NOT NULL, `at_ms` bigint NOT NULL, PRIMARY KEY (`peer`, `entity`, `object_key`)) ENGINE=InnoDB',
        'CREATE TABLE `synchro_lease` (`name` varchar(32) NOT NULL, `owner` varchar(36) NOT NULL, `expires_at` bigint NOT NULL, PRIMARY KEY (`name`)) ENGINE=InnoDB',
      ],
      down: [
        'DROP TABLE `synchro_lease`',
        'DROP TABLE `synchro_retry`',
        'DROP TABLE `synchro_cursor`',
        'DROP TABLE `synchro_id_map`',
        'DROP TABLE `synchro_log`',
        'DROP TABLE `synchro_node`',
      ],
    },
  };
