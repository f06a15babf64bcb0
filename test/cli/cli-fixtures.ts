import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';

/**
 * Writes a TypeScript project skeleton into `dir`: entities and one DataSource file per side, as a
 * user of the CLI would have them. `options` are the connection options of each side.
 */
export function writeCliProject(dir: string, sides: Record<string, DataSourceOptions>): void {
  mkdirSync(dir, { recursive: true });
  const lib = JSON.stringify(join(__dirname, '..', '..', 'src', 'index'));
  writeFileSync(
    join(dir, 'entities.ts'),
    `import { Column, Entity, JoinTable, ManyToMany, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { NaturalKey, Synchro, SynchroSkip } from ${lib};

@NaturalKey(['code'])
@Synchro()
@Entity()
export class Author {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ unique: true }) code!: string;
  @Column() name!: string;
  @SynchroSkip() @Column({ default: 0 }) views!: number;
}

@Synchro()
@Entity()
export class Genre {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
}

@Synchro()
@Entity()
export class Book {
  @PrimaryGeneratedColumn() id!: number;
  @Column() title!: string;
  @ManyToOne(() => Author, { nullable: false }) author!: Author;
  @ManyToMany(() => Genre) @JoinTable() genres!: Genre[];
}
`,
  );
  for (const [name, options] of Object.entries(sides)) {
    writeFileSync(
      join(dir, `${name}.ts`),
      `import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { synchroEntities, SynchroSubscriber } from ${lib};
import { Author, Book, Genre } from './entities';

export default new DataSource({
  ...${JSON.stringify(options)},
  entities: [Author, Book, Genre, ...synchroEntities],
  subscribers: [SynchroSubscriber],
  synchronize: true,
} as never);
`,
    );
  }
}

/** A fresh project folder inside the repository (gitignored), so `typeorm` resolves as in a user's app. */
export function makeProjectDir(): string {
  const base = join(__dirname, '..', '..', 'test-output');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, 'cli-'));
}
