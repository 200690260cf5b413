import type { Request as ExpressRequest, Response as ExpressResponse } from "express";

/** Express request -> Fetch Request, and a Fetch Response back: for the few hot paths mounted outside Remix. */
export async function toFetchRequest(req: ExpressRequest): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  let body: Buffer | undefined;
  if (req.method !== "GET" && req.method !== "HEAD") {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    body = Buffer.concat(chunks);
  }
  return new Request(`http://${req.headers.host ?? "localhost"}${req.originalUrl}`, { method: req.method, headers, body: body as unknown as BodyInit | undefined });
}

export async function sendFetchResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.status(response.status);
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.send(Buffer.from(await response.arrayBuffer()));
}

export function fetchHandler(handle: (request: Request) => Promise<Response>, label: string) {
  return async (req: ExpressRequest, res: ExpressResponse) => {
    try {
      await sendFetchResponse(res, await handle(await toFetchRequest(req)));
    } catch (error) {
      console.error(`[${label}] failed`, (error as Error).message);
      if (!res.headersSent) res.status(500).send("internal error: retry");
    }
  };
}
