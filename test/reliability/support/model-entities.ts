import 'reflect-metadata';
import {
  Column,
  Entity,
  JoinTable,
  ManyToMany,
  ManyToOne,
  PrimaryGeneratedColumn,
  type DataSource,
} from 'typeorm';
import { NaturalKey, Synchro, SynchroSkip } from '../../../src/capture/decorators';

/**
 * The reliability entities. Every row carries an immutable `uid` (or, for tags, its natural key
 * `label`), so the content of two databases can be compared whatever keys each one generated.
 */
@NaturalKey(['label'])
@Synchro()
@Entity('rel_tag')
export class RelTag {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 20, unique: true })
  label!: string;

  @Column({ type: 'varchar', length: 20 })
  color!: string;
}

/** Generated key, no natural key, a skip field and a many-to-many relation without an inverse side. */
@Synchro()
@Entity('rel_parent')
export class RelParent {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 20 })
  uid!: string;

  @Column({ type: 'varchar', length: 20 })
  name!: string;

  @SynchroSkip()
  @Column({ type: 'varchar', length: 20, nullable: true })
  memo!: string | null;

  @ManyToMany(() => RelTag)
  @JoinTable({ name: 'rel_parent_tags' })
  tags?: RelTag[];
}

/** A child whose optional parent is set to NULL by the database when the parent goes. */
@Synchro()
@Entity('rel_child')
export class RelChild {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 20 })
  uid!: string;

  @Column({ type: 'int' })
  value!: number;

  @ManyToOne(() => RelParent, { nullable: true, onDelete: 'SET NULL' })
  parent?: RelParent | null;
}

/** An explicit junction entity (parent, tag, weight), removed by the database with either end. */
@Synchro()
@Entity('rel_link')
export class RelLink {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 20 })
  uid!: string;

  @Column({ type: 'int' })
  weight!: number;

  @ManyToOne(() => RelParent, { nullable: false, onDelete: 'CASCADE' })
  parent!: RelParent;

  @ManyToOne(() => RelTag, { nullable: false, onDelete: 'CASCADE' })
  tag!: RelTag;
}

/** Every reliability entity. */
export const RELIABILITY_ENTITIES = [RelTag, RelParent, RelChild, RelLink];

/** Data tables, children first (the order rows must be deleted in). */
export const RELIABILITY_TABLES = ['rel_parent_tags', 'rel_link', 'rel_child', 'rel_parent', 'rel_tag'];

/**
 * The canonical content of a database: one sorted line per row, foreign keys written as the target's
 * uid or label, so two databases (or a database and the model) compare with `toEqual`.
 */
export async function contentOf(ds: DataSource): Promise<string[]> {
  const parents = await ds.getRepository(RelParent).find({ relations: { tags: true } });
  const children = await ds.getRepository(RelChild).find({ relations: { parent: true } });
  const tags = await ds.getRepository(RelTag).find();
  const links = await ds.getRepository(RelLink).find({ relations: { parent: true, tag: true } });
  return [
    ...parents.map((p) => `P|${p.uid}|${p.name}|${p.memo ?? '-'}`),
    ...parents.flatMap((p) => (p.tags ?? []).map((t) => `J|${p.uid}|${t.label}`)),
    ...children.map((c) => `C|${c.uid}|${c.value}|${c.parent?.uid ?? '-'}`),
    ...tags.map((t) => `T|${t.label}|${t.color}`),
    ...links.map((l) => `L|${l.uid}|${l.weight}|${l.parent.uid}|${l.tag.label}`),
  ].sort();
}
