/** A local service could not be provisioned; the message tells the operator what to do. */
export class ServiceError extends Error {
  override name = 'ServiceError';
}
