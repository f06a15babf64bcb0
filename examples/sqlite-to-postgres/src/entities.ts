import { Column, Entity, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { NaturalKey, Synchro } from 'typeorm-synchro';

/** A warehouse is identified by its code on every database. */
@NaturalKey(['code'])
@Synchro()
@Entity()
export class Warehouse {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ unique: true }) code!: string;
  @Column() city!: string;
}

/** Stock rows use a UUID key assigned by the app, so they keep it on both databases. */
@Synchro()
@Entity()
export class StockItem {
  @PrimaryColumn('uuid') id!: string;
  @ManyToOne(() => Warehouse, { nullable: false }) warehouse!: Warehouse;
  @Column() sku!: string;
  @Column({ type: 'decimal', precision: 12, scale: 3 }) quantity!: string;
  @Column({ type: 'bigint' }) serial!: string;
  @Column({ type: 'simple-json' }) attributes!: Record<string, unknown>;
  @Column({ default: true }) active!: boolean;
  @UpdateDateColumn() updatedAt!: Date;
}
