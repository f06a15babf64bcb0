import { Column, Entity, JoinTable, ManyToMany, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { NaturalKey, Synchro } from 'typeorm-synchro';

@NaturalKey(['name'])
@Synchro()
@Entity()
export class Topic {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ unique: true }) name!: string;
}

/** Posts reply to posts (a self-reference) and carry topics (a many-to-many without inverse side). */
@Synchro()
@Entity()
export class Post {
  @PrimaryGeneratedColumn() id!: number;
  @Column() body!: string;
  @ManyToOne(() => Post, { nullable: true }) replyTo!: Post | null;
  @ManyToMany(() => Topic)
  @JoinTable()
  topics!: Topic[];
}
