/**
 * A Mesos v1 request that cannot be translated: `field` is the offending field in Mesos' JSON
 * (`accept.operations[0].launch.task_infos[1].task_id`), `message` says why, the way Mesos words
 * its validation errors. The HTTP edge answers it 400 (or `status` when set).
 */
export class MesosV1Error extends Error {
  override readonly name = "MesosV1Error";

  constructor(
    readonly field: string,
    message: string,
    readonly status = 400,
  ) {
    super(field ? `${field}: ${message}` : message);
  }
}

export function isMesosV1Error(e: unknown): e is MesosV1Error {
  return e instanceof MesosV1Error;
}
