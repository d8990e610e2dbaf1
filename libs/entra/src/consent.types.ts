export type ChangeKind =
  | 'createServicePrincipal'
  | 'deleteServicePrincipal'
  | 'createGrant'
  | 'updateGrant'
  | 'deleteGrant'
  | 'createAppRoleAssignment'
  | 'deleteAppRoleAssignment';

/** One directory write: made (applied) or, in plan mode, the write that would be made. */
export interface Change {
  kind: ChangeKind;
  /** Object id, or the appId / client→resource pair when the object does not exist yet. */
  target: string;
  detail?: string;
  applied: boolean;
}

export interface RunOptions {
  /** Plan mode: perform the reads, report the writes, make none. */
  plan?: boolean;
}

export interface EnsureResult<T> {
  /** The object as it is after the call; undefined in plan mode when it would be created. */
  value: T | undefined;
  changes: Change[];
}
