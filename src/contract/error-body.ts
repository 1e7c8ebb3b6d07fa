/**
 * The error answer of both Skiff HTTP APIs, the broker's and the name server's (DESIGN §1.3):
 *
 *   {"error":{"code":"TOPIC_NOT_EXIST","message":"topic Orders does not exist"}}
 *
 * `code` is a stable string (SkiffError's code on the server); `message` one line naming cause and
 * fix. The HTTP status says the class (400, 404, 409, 413, 415, 416, 503; 500 for a bug).
 * Types only: imported by the servers (src/http) and the client (src/client).
 */

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}
