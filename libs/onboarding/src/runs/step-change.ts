/**
 * One change a step made — or, in a dry run, would make. Stored in RunStep.changes and shown by GET /v1/runs/{id}.
 * `action` is a stable verb (e.g. "create-service-principal", "add-grant-scope", "create-role", "add-operator"),
 * `target` names the object in human terms, `detail` carries ids and values.
 */
export interface StepChange {
  action: string;
  target: string;
  detail?: Record<string, unknown>;
}
