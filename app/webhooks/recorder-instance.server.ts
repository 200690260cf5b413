import { pool } from "../db.server";
import { WebhookRecorder } from "./recorder.server";

/** This process's recorder (one group-commit queue per process). */
export const webhookRecorder = new WebhookRecorder(pool);
