import 'reflect-metadata';
import {
  Column,
  DeleteDateColumn,
  Entity,
  JoinColumn,
  JoinTable,
  ManyToMany,
  ManyToOne,
  OneToMany,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { NaturalKey, Synchro } from '../../src/index';

/** Entities of the capture suite: every key shape and relation kind the log must handle. */

@Synchro()
@Entity('cap_owner')
export class Owner {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  uuid!: string;

  @Column({ type: 'varchar', length: 60, default: '' })
  name!: string;
}

@Synchro()
@Entity('cap_tag')
export class Tag {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 60, unique: true })
  label!: string;

  @ManyToMany(() => Item, (item) => item.tags)
  items?: Item[];
}

@NaturalKey(['code'])
@Synchro()
@Entity('cap_item')
export class Item {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 60, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 60, default: '' })
  name!: string;

  @Column({ type: 'int', default: 0 })
  qty!: number;

  @DeleteDateColumn({ nullable: true })
  deletedAt?: Date | null;

  @ManyToOne(() => Owner, { nullable: true })
  @JoinColumn({ name: 'owner_uuid' })
  owner?: Owner | null;

  @ManyToMany(() => Tag, (tag) => tag.items)
  @JoinTable({ name: 'cap_item_tags' })
  tags?: Tag[];

  @OneToMany(() => Comment, (comment) => comment.item)
  comments?: Comment[];
}

@Synchro()
@Entity('cap_comment')
export class Comment {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 60 })
  body!: string;

  @ManyToOne(() => Item, (item) => item.comments, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'item_id' })
  item!: Item;
}

@Synchro()
@Entity('cap_line')
export class Line {
  @PrimaryColumn({ type: 'int' })
  orderNo!: number;

  @PrimaryColumn({ type: 'int' })
  lineNo!: number;

  @Column({ type: 'varchar', length: 60 })
  text!: string;
}

@Synchro()
@Entity('cap_doc')
export class Doc {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 60 })
  title!: string;
}

export const LONG_KEY_LENGTH = 255;

@Synchro()
@Entity('cap_long_key')
export class LongKey {
  @PrimaryColumn({ type: 'varchar', length: LONG_KEY_LENGTH })
  key!: string;

  @Column({ type: 'int', default: 0 })
  value!: number;
}

/** A natural key of a date and a many-to-one relation. */
@NaturalKey(['day', 'owner'])
@Synchro()
@Entity('cap_shift')
export class Shift {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column()
  day!: Date;

  @ManyToOne(() => Owner, { nullable: false })
  @JoinColumn({ name: 'owner_uuid' })
  owner!: Owner;

  @Column({ type: 'varchar', length: 60, default: '' })
  note!: string;
}

@Synchro()
@Entity('cap_student')
export class Student {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 60 })
  name!: string;
}

@Synchro()
@Entity('cap_course')
export class Course {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 60 })
  title!: string;
}

/** An explicit junction entity: two many-to-one relations as its key, plus a column of its own. */
@Synchro()
@Entity('cap_enrollment')
export class Enrollment {
  @PrimaryColumn({ type: 'int' })
  studentId!: number;

  @PrimaryColumn({ type: 'int' })
  courseId!: number;

  @ManyToOne(() => Student, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'studentId' })
  student?: Student;

  @ManyToOne(() => Course, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'courseId' })
  course?: Course;

  @Column({ type: 'varchar', length: 4, default: '' })
  grade!: string;
}

/** A natural key that may match several rows: the first by primary key is taken. */
@NaturalKey(['city'], { allowMany: true })
@Synchro()
@Entity('cap_place')
export class Place {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 60 })
  city!: string;
}

/** Not watched: its writes are never logged. */
@Entity('cap_note')
export class Note {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 60 })
  text!: string;
}

export const CAPTURE_ENTITIES = [
  Owner,
  Tag,
  Item,
  Comment,
  Line,
  Doc,
  LongKey,
  Shift,
  Student,
  Course,
  Enrollment,
  Place,
  Note,
];
