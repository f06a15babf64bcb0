import { Column, CreateDateColumn, Entity, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { NaturalKey, Synchro } from './synchro';

/** Customers are matched across the two databases by their code. */
@NaturalKey(['code'])
@Synchro()
@Entity()
export class Customer {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ unique: true }) code!: string;
  @Column() name!: string;
}

/** Invoices reference a customer; the synchronizer translates the foreign key to the remote's id. */
@Synchro()
@Entity()
export class Invoice {
  @PrimaryGeneratedColumn() id!: number;
  @ManyToOne(() => Customer, { nullable: false }) customer!: Customer;
  @Column() number!: string;
  @Column({ type: 'decimal', precision: 10, scale: 2 }) amount!: string;
  @CreateDateColumn() createdAt!: Date;
}
