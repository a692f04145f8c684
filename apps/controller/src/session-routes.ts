import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJsonBody, sendJson } from '@nexu/service-kit';
import type { GatewayLink, LinkRequestResult } from './gateway-link.js';

const STATUS_BY_CODE: Record<string, number> = { not_found: 404, invalid_params: 400, bad_request: 400 };

/** `GET/PUT /api/sessions/:id`, forwarded to the gateway as `session.get` / `session.put`. */
export async function handleSessionRequest(
  link: GatewayLink,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  if (req.method === 'GET') {
    sendLinkResult(res, link, await link.request('session.get', { id }));
    return;
  }
  if (req.method === 'PUT') {
    const body = await readJsonBody(req);
    if (!body.ok) {
      sendJson(res, body.status, { error: body.reason });
      return;
    }
    sendLinkResult(res, link, await link.request('session.put', { id, data: body.value }));
    return;
  }
  res.setHeader('allow', 'GET, PUT');
  sendJson(res, 405, { error: `${req.method} is not allowed on /api/sessions/:id (use GET or PUT)` });
}

function sendLinkResult(res: ServerResponse, link: GatewayLink, outcome: LinkRequestResult): void {
  if (!outcome.delivered) {
    const status = outcome.reason === 'timeout' ? 504 : 503;
    sendJson(res, status, {
      error:
        outcome.reason === 'timeout'
          ? 'the gateway did not answer in time'
          : `the gateway link is not active (state: ${link.state}); is the gateway running at ${link.url}?`,
      gateway: { url: link.url, state: link.state },
    });
    return;
  }
  const { response } = outcome;
  if (response.ok) sendJson(res, 200, response.result);
  else
    sendJson(res, STATUS_BY_CODE[response.error.code] ?? 502, {
      error: response.error.message,
      code: response.error.code,
    });
}
