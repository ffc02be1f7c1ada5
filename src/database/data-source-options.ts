import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/** The one way the service, the CLI and the tests describe their connection. */
export function dataSourceOptions(url: string, poolSize: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+; no extension to install (PGlite has none by default).
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    namingStrategy: new SnakeNamingStrategy(),
    // TypeORM's own error log prints query parameters, which hold personal data; errors are logged by the
    // problem filter instead, without values.
    logging: false,
    extra: { max: poolSize, connectionTimeoutMillis: 10_000, application_name: 'verzuimloket' },
  };
}
