import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm';
import type { EncodedKey } from '../core/entity-key';
import { ApplyFailedError } from '../core/errors';
import type { EngineContext } from './engine-context';
import type { EntityMapping } from './entity-mapping';
import { insertChunks } from './insert-chunks';
import {
  chunksOf,
  queryRows,
  tupleCondition,
  tuplesPerCondition,
  tuplesPerStatement,
  type SideSql,
} from './sync-sql';
import { keyPart } from './value-converter';

/**
 * @internal A tree whose derived data TypeORM writes itself on `save`, which the synchronizer rebuilds
 * on the remote: the closure table's ancestor rows, or the materialized path. Names are escaped,
 * except the closure table's, which go to {@link insertChunks} as they are.
 */
export interface TreePlan {
  /** The primary key, which the parent's foreign key references, and its key path. */
  readonly id: string;
  readonly idPath: string;
  /** The parent foreign key column. */
  readonly parent: string;
  readonly table: string;
  readonly closure?: { readonly tablePath: string; readonly ancestor: string; readonly descendant: string };
  readonly path?: string;
}

/**
 * Levels an ancestor walk goes up at most. A node that reaches it has parent links that loop (two
 * sides moved two nodes under each other) or a tree deeper than any real one; MySQL 8 stops
 * recursive queries at 1,000 levels by default too.
 */
const MAX_TREE_DEPTH = 1000;

/** One ancestor of a node (the node itself at depth 0). */
interface Link {
  node: unknown;
  ancestor: unknown;
  depth: number;
}

/**
 * @internal Why a watched tree cannot be synchronized, or `undefined`: a nested set (its positions
 * span the whole tree), or a closure-table / materialized-path tree whose parent is not one foreign
 * key column to its primary key. Adjacency lists and plain entities have no derived data.
 */
export function treeProblem(metadata: EntityMetadata): string | undefined {
  if (metadata.treeType === 'nested-set')
    return 'a nested-set tree: its left and right positions number the whole tree, and a synchronized row arrives without them';
  if (metadata.treeType !== 'closure-table' && metadata.treeType !== 'materialized-path') return undefined;
  return parentKeyOf(metadata) === undefined
    ? `a ${metadata.treeType} tree whose parent is not one foreign key column to its primary key`
    : undefined;
}

function parentKeyOf(metadata: EntityMetadata): { join: ColumnMetadata; id: ColumnMetadata } | undefined {
  const [join, more] = metadata.treeParentRelation?.joinColumns ?? [];
  const id = join?.referencedColumn;
  return join === undefined || more !== undefined || id === undefined || !id.isPrimary
    ? undefined
    : { join, id };
}

/** @internal The remote plan of a closure-table or materialized-path tree; `undefined` for anything else. */
export function treePlanOf(side: SideSql, metadata: EntityMetadata): TreePlan | undefined {
  if (metadata.treeType !== 'closure-table' && metadata.treeType !== 'materialized-path') return undefined;
  const key = parentKeyOf(metadata);
  if (key === undefined) return undefined;
  return {
    id: side.e(key.id.databaseName),
    idPath: key.id.propertyPath,
    parent: side.e(key.join.databaseName),
    table: side.t(metadata.tablePath),
    closure: closureOf(metadata),
    path: metadata.materializedPathColumn && side.e(metadata.materializedPathColumn.databaseName),
  };
}

function closureOf(metadata: EntityMetadata): TreePlan['closure'] {
  const junction = metadata.closureJunctionTable as EntityMetadata | undefined;
  const [ancestor] = (junction?.ancestorColumns ?? []) as ColumnMetadata[];
  const [descendant] = (junction?.descendantColumns ?? []) as ColumnMetadata[];
  if (junction === undefined || ancestor === undefined || descendant === undefined) return undefined;
  return {
    tablePath: junction.tablePath,
    ancestor: ancestor.databaseName,
    descendant: descendant.databaseName,
  };
}

/**
 * @internal Rebuilds, on the remote, the derived tree data of the nodes of `mapping` the batch wrote
 * (`keys`) and of their subtrees (a moved node moves its descendants): their closure rows are
 * replaced, their materialized paths recomputed, from the parent foreign keys as written.
 */
export async function refreshTreeData(
  ctx: EngineContext,
  mapping: EntityMapping,
  keys: readonly EncodedKey[],
): Promise<void> {
  const tree = treePlanOf(ctx.remote, mapping.remote);
  if (tree === undefined || keys.length === 0) return;
  const side = ctx.remote;
  const nodes = await subtreeOf(
    side,
    tree,
    keys.map((k) => keyPart(k, tree.idPath)),
  );
  const links = await ancestorsOf(side, tree, nodes).catch((error: unknown) => {
    if (!(error instanceof TreeLoopError)) throw error;
    throw new ApplyFailedError({ entity: mapping.name, table: mapping.remote.tableName }, error);
  });
  if (tree.closure !== undefined) await rewriteClosure(side, tree.closure, nodes, links);
  if (tree.path !== undefined) await rewritePaths(side, tree, tree.path, links);
}

/** The nodes and every descendant of them, by a recursive walk down the parent foreign key. */
async function subtreeOf(side: SideSql, tree: TreePlan, roots: readonly unknown[]): Promise<unknown[]> {
  const out = new Map<string, unknown>();
  for (const part of chunksOf(roots, tuplesPerCondition(side, 1))) {
    const where = inList(side, `t.${tree.id}`, part);
    const sql = `WITH RECURSIVE sub (node) AS (SELECT t.${tree.id} FROM ${tree.table} t WHERE ${where.sql}
      UNION SELECT c.${tree.id} FROM ${tree.table} c JOIN sub ON c.${tree.parent} = sub.node)
      SELECT node FROM sub`;
    for (const row of await queryRows<{ node: unknown }>(side, sql, where.params))
      out.set(String(row.node), row.node);
  }
  return [...out.values()];
}

/** Every node's ancestors, itself at depth 0, by a recursive walk up the parent foreign key. */
async function ancestorsOf(side: SideSql, tree: TreePlan, nodes: readonly unknown[]): Promise<Link[]> {
  const out: Link[] = [];
  for (const part of chunksOf(nodes, tuplesPerCondition(side, 1))) {
    const where = inList(side, `t.${tree.id}`, part);
    const sql = `WITH RECURSIVE anc (node, ancestor, depth) AS (SELECT t.${tree.id}, t.${tree.id}, 0 FROM ${tree.table} t WHERE ${where.sql}
      UNION ALL SELECT anc.node, p.${tree.parent}, anc.depth + 1 FROM anc JOIN ${tree.table} p ON p.${tree.id} = anc.ancestor
      WHERE p.${tree.parent} IS NOT NULL AND anc.depth < ${MAX_TREE_DEPTH})
      SELECT node, ancestor, depth FROM anc`;
    for (const row of await queryRows<Link>(side, sql, where.params))
      out.push({ node: row.node, ancestor: row.ancestor, depth: Number(row.depth) });
  }
  const looped = out.find((l) => l.depth >= MAX_TREE_DEPTH);
  if (looped !== undefined) throw new TreeLoopError(looped.node);
  return out;
}

/** `column IN (…)` for one chunk of values. */
function inList(
  side: SideSql,
  column: string,
  values: readonly unknown[],
): { sql: string; params: unknown[] } {
  return tupleCondition(
    side,
    [column],
    values.map((v) => [v]),
  );
}

/** @internal Thrown (and typed by the caller, naming the entity) when a node's parent links loop. */
export class TreeLoopError extends Error {
  constructor(readonly node: unknown) {
    super(
      `on the remote, the parent links above node ${String(node)} loop (or go deeper than ${MAX_TREE_DEPTH} levels): ` +
        'two sides moved nodes under each other; give one of them another parent on the remote, then sync again',
    );
  }
}

/** Deletes the nodes' closure rows (as descendants) and inserts one per ancestor, as TypeORM does. */
async function rewriteClosure(
  side: SideSql,
  closure: NonNullable<TreePlan['closure']>,
  nodes: readonly unknown[],
  links: readonly Link[],
): Promise<void> {
  for (const part of chunksOf(nodes, tuplesPerCondition(side, 1))) {
    const where = inList(side, side.e(closure.descendant), part);
    await side.db.query(`DELETE FROM ${side.t(closure.tablePath)} WHERE ${where.sql}`, where.params);
  }
  const rows = links.map((l) => [l.ancestor, l.node]);
  for (const chunk of await insertChunks(
    side,
    closure.tablePath,
    [closure.ancestor, closure.descendant],
    rows,
  ))
    await side.db.query(chunk.sql, chunk.params);
}

/** Sets each node's path to its ancestors' keys from the root, each followed by a dot, as TypeORM does. */
async function rewritePaths(
  side: SideSql,
  tree: TreePlan,
  column: string,
  links: readonly Link[],
): Promise<void> {
  const byNode = new Map<string, Link[]>();
  for (const link of links) {
    const chain = byNode.get(String(link.node));
    if (chain === undefined) byNode.set(String(link.node), [link]);
    else chain.push(link);
  }
  const paths = [...byNode.values()].map((chain) => {
    const fromRoot = [...chain].sort((a, b) => b.depth - a.depth);
    return [chain[0]?.node, fromRoot.map((l) => `${String(l.ancestor)}.`).join('')] as const;
  });
  const p = side.dialect.placeholder;
  for (const part of chunksOf(paths, tuplesPerStatement(side, 3))) {
    const cases = part.map((_, i) => `WHEN ${p(2 * i + 1)} THEN ${p(2 * i + 2)}`).join(' ');
    const where = tupleCondition(
      side,
      [tree.id],
      part.map(([node]) => [node]),
      2 * part.length,
    );
    await side.db.query(
      `UPDATE ${tree.table} SET ${column} = CASE ${tree.id} ${cases} END WHERE ${where.sql}`,
      [...part.flatMap(([node, path]) => [node, path]), ...where.params],
    );
  }
}
