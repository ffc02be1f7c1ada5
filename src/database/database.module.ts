import { Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { EmbeddedDatabase } from './embedded-database';
import { runMigrations } from './migrator';

/** The connection string in use: DATABASE_URL, or the embedded database started for this process. */
@Injectable()
export class DatabaseConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  constructor(
    readonly url: string,
    readonly poolSize: number,
    readonly embedded: EmbeddedDatabase | null,
  ) {}

  static async open(config: AppConfig): Promise<DatabaseConnection> {
    if (!config.usesEmbeddedDatabase) return new DatabaseConnection(config.DATABASE_URL!, config.DATABASE_POOL_SIZE, null);
    const dir = join(config.DATA_DIR, 'pglite');
    const embedded = await EmbeddedDatabase.start(dir, config.EMBEDDED_DB_PORT);
    new Logger('Database').log(`Ingebouwde database (PGlite) in ${dir}; stel DATABASE_URL in voor een PostgreSQL-server.`);
    return new DatabaseConnection(embedded.url, 1, embedded);
  }

  private closed = false;

  /** Stops the embedded database, once (the CLI and the shutdown hooks may both ask). */
  async close(dataSource?: DataSource): Promise<void> {
    if (!this.embedded || this.closed) return;
    this.closed = true;
    // The pool must let go before the embedded server stops, or its last connection errors.
    if (dataSource?.isInitialized) await dataSource.destroy();
    await this.embedded.stop();
    this.logger.log('Ingebouwde database gesloten.');
  }

  async onApplicationShutdown(): Promise<void> {
    // TypeORM's module closes the pool first (it depends on this provider); then the embedded server stops.
    await this.close();
  }
}

@Injectable()
class MigrateOnStart implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly connection: DatabaseConnection,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.MIGRATIONS_RUN) await runMigrations(this.db, this.connection.embedded === null);
  }
}

@Module({
  providers: [{ provide: DatabaseConnection, inject: [AppConfig], useFactory: (c: AppConfig) => DatabaseConnection.open(c) }],
  exports: [DatabaseConnection],
})
class DatabaseConnectionModule {}

@Module({
  imports: [
    DatabaseConnectionModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseConnectionModule],
      inject: [DatabaseConnection],
      useFactory: (c: DatabaseConnection) => dataSourceOptions(c.url, c.poolSize),
    }),
  ],
  providers: [MigrateOnStart],
  exports: [DatabaseConnectionModule],
})
export class DatabaseModule {}
