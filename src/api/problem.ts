/**
 * API errors as `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`,
 * and for a bad field its name (`field`). Route code throws an ApiProblem; the app's error
 * handler turns it (and anything else, as a 500 that tells nothing of the inside) into the body.
 */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
  }
}

const TITLES: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export const PROBLEM_TYPE = "application/problem+json";

export function problemBody(status: number, detail: string, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return { type: "about:blank", title: TITLES[status] ?? "Error", status, detail, ...extra };
}

export function problemResponse(status: number, detail: string, extra: Readonly<Record<string, unknown>> = {}, headers: Readonly<Record<string, string>> = {}): Response {
  return new Response(JSON.stringify(problemBody(status, detail, extra)) + "\n", {
    status,
    headers: { "content-type": PROBLEM_TYPE, "cache-control": "no-store", ...headers },
  });
}

export const badRequest = (detail: string, field?: string) => new ApiProblem(400, detail, field === undefined ? {} : { field });
export const notFound = (detail: string) => new ApiProblem(404, detail);
export const conflict = (detail: string, field?: string) => new ApiProblem(409, detail, field === undefined ? {} : { field });
