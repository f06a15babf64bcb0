import 'reflect-metadata';
import { Column, Entity, Index, JoinTable, ManyToMany, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Synchro } from '../src/capture/decorators';
import { synchroEntities } from '../src/store/synchro-entities';

/** The foreign-key target of every synced item. */
@Synchro()
@Entity('bench_parent')
export class BenchParent {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 60 })
  name!: string;
}

/** The many-to-many target (two join rows per item). */
@Synchro()
@Entity('bench_tag')
export class BenchTag {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 60 })
  label!: string;
}

/** The synced object: mixed column types, an FK to a parent and an m2m relation. */
@Synchro()
@Entity('bench_item')
export class BenchItem {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 40 })
  code!: string;

  @Column({ type: 'int' })
  qty!: number;

  @Column({ type: 'decimal', precision: 12, scale: 2 })
  price!: string;

  @Column({ type: Boolean })
  active!: boolean;

  @Column({ type: Date, precision: 3 })
  happenedAt!: Date;

  @Column({ type: 'simple-json' })
  data!: unknown;

  @Column({ type: 'varchar', length: 200, nullable: true })
  note!: string | null;

  @ManyToOne(() => BenchParent, { nullable: false })
  parent!: BenchParent;

  @ManyToMany(() => BenchTag)
  @JoinTable({ name: 'bench_item_tags' })
  tags!: BenchTag[];
}

/** The capture-overhead entity: mixed columns and an indexed `bucket` (10 rows per value). */
@Synchro()
@Entity('bench_record')
export class BenchRecord {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 40 })
  code!: string;

  @Index()
  @Column({ type: 'int' })
  bucket!: number;

  @Column({ type: 'int' })
  qty!: number;

  @Column({ type: 'decimal', precision: 12, scale: 2 })
  price!: string;

  @Column({ type: Date, precision: 3 })
  happenedAt!: Date;
}

/** Every entity a bench DataSource registers (the library's tables included). */
export const BENCH_ENTITIES = [BenchParent, BenchTag, BenchItem, BenchRecord, ...synchroEntities];

/** Table names in FK order (parents first). */
export const BENCH_TABLES = {
  parent: 'bench_parent',
  tag: 'bench_tag',
  item: 'bench_item',
  join: 'bench_item_tags',
  record: 'bench_record',
} as const;
