/** What every module receives: configuration, the database, secrets and the pluggable senders. */
import type { Config } from './config';
import type { Database, Db } from './db/client';
import type { Secrets } from './crypto';
import type { UploadStore } from './storage';

/** Sends an SMS; the default writes it to the log (deployments plug in their SMS gateway). */
export interface SmsSender {
  send(phone: string, text: string): Promise<void>;
}

export interface AppContext {
  config: Config;
  database: Database;
  db: Db;
  secrets: Secrets;
  sms: SmsSender;
  /** Where uploads go; when left out, a folder at config.uploadDir (see uploadStore in storage.ts). */
  uploads?: UploadStore;
}
