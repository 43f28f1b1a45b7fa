// A request the service answers with a reason instead of a result (a rename to a name the config cannot take):
// the server sends its message back as the request's error, which the editor shows.
export class RequestRefused extends Error {
  override readonly name = 'RequestRefused';
}
