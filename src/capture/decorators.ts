import 'reflect-metadata';
import type { EntitySchema } from 'typeorm';

/** Options of {@link Synchro}. */
export interface SynchroOptions {
  /** The stable name the entity is logged under (default: its table name, which survives minification). */
  name?: string;
}

/** Options of {@link NaturalKey}. */
export interface NaturalKeyOptions {
  /** When several rows match, take the first by primary key instead of failing. Use with care. */
  allowMany?: boolean;
}

/** Something that names an entity: its class, its EntitySchema, or its entity/table name. */
export type EntityTarget = (abstract new (...args: never[]) => unknown) | EntitySchema<unknown> | string;

/** @internal Metadata keys; `Symbol.for` so that two installed copies of the library agree. */
export const METADATA = {
  synchro: Symbol.for('typeorm-synchro:synchro'),
  naturalKey: Symbol.for('typeorm-synchro:natural-key'),
  skip: Symbol.for('typeorm-synchro:skip'),
} as const;

interface Registry {
  decorated: Set<object>;
  registered: Map<EntityTarget, SynchroOptions>;
}

/** @internal Process-wide registry of decorated and registered entities (shared between library copies). */
export const registry: Registry = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('typeorm-synchro:registry')
] ??= {
  decorated: new Set<object>(),
  registered: new Map<EntityTarget, SynchroOptions>(),
}) as Registry;

/**
 * Watches an entity: every write of it is logged and synchronized.
 *
 * @example
 * ```ts
 * @Synchro()
 * @Entity()
 * export class Order { ... }
 * ```
 */
export function Synchro(options: SynchroOptions = {}): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(METADATA.synchro, { ...options }, target);
    registry.decorated.add(target);
  };
}

/**
 * Watches entities you cannot decorate (classes of another package, EntitySchemas, or entity names),
 * as django-synchro's `SYNCHRO_MODELS` did. Every argument is one entity: a class, an EntitySchema,
 * or a string matched against the entity name or table name. Call it before `DataSource.initialize()`.
 *
 * @example
 * ```ts
 * // three entities: a class, one given by its name, an EntitySchema
 * registerSynchro(User, 'audit_entry', ProductSchema)
 * ```
 */
export function registerSynchro(...entities: EntityTarget[]): void {
  for (const entity of entities) registry.registered.set(entity, registry.registered.get(entity) ?? {});
}

/**
 * Declares the fields that identify a row across databases, so a synchronized row finds its remote
 * counterpart without relying on auto-increment keys. A field may be a column or a many-to-one relation.
 *
 * @example
 * ```ts
 * @NaturalKey(['code', 'day'])
 * @Synchro()
 * @Entity()
 * export class Shift { ... }
 * ```
 */
export function NaturalKey(fields: string[], options: NaturalKeyOptions = {}): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(
      METADATA.naturalKey,
      { fields: [...fields], allowMany: options.allowMany === true },
      target,
    );
    registry.decorated.add(target);
  };
}

/**
 * The column is not synchronized: a new remote row gets the column's database default, an existing
 * remote row keeps its value. For computed fields such as balances.
 *
 * @example
 * ```ts
 * @SynchroSkip()
 * @Column({ default: 0 })
 * balance!: number
 * ```
 */
export function SynchroSkip(): PropertyDecorator {
  return (prototype, property) => {
    const target = prototype.constructor;
    const existing = (Reflect.getOwnMetadata(METADATA.skip, target) as string[] | undefined) ?? [];
    Reflect.defineMetadata(METADATA.skip, [...existing, String(property)], target);
  };
}
