import {
  Column,
  CreateDateColumn,
  Entity,
  JoinTable,
  ManyToMany,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { NaturalKey, Synchro, SynchroSkip } from 'typeorm-synchro';

/** Customers are matched across databases by their code, never by the auto-increment id. */
@NaturalKey(['code'])
@Synchro()
@Entity()
export class Customer {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ unique: true }) code!: string;
  @Column() name!: string;
  /** Computed on each database by OrderSubscriber: not synchronized. */
  @SynchroSkip()
  @Column({ type: 'decimal', precision: 10, scale: 2, default: 0 })
  balance!: string;
}

@NaturalKey(['label'])
@Synchro()
@Entity()
export class Tag {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ unique: true }) label!: string;
}

@Synchro()
@Entity({ name: 'orders' })
export class Order {
  @PrimaryGeneratedColumn() id!: number;
  @ManyToOne(() => Customer, { nullable: false, onDelete: 'CASCADE' }) customer!: Customer;
  @Column({ type: 'decimal', precision: 10, scale: 2 }) amount!: string;
  @Column() description!: string;
  @CreateDateColumn() createdAt!: Date;
  @ManyToMany(() => Tag)
  @JoinTable()
  tags!: Tag[];
}
