import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { JobProducer, QUEUE_NAMES } from '@app/jobs';
import { hasScope } from '@app/security';
import { ApiKeyService, presentedKey } from '../auth/api-key.service';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board for `admin` keys. Browsers authenticate with HTTP Basic (any user name, the API key as password) so
 * the UI's own XHR calls carry the credentials too; API clients may send the usual Bearer header.
 */
export async function mountBullBoard(fastify: FastifyInstance, producer: JobProducer, keys: ApiKeyService): Promise<void> {
  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.map((q) => new BullMQAdapter(producer.queue(q), { readOnlyMode: false })),
    serverAdapter,
  });
  await fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
        const principal = await keys.authenticate(presentedKey(req.headers.authorization));
        if (!principal || !hasScope(principal.scopes, 'admin')) {
          await reply
            .code(principal ? 403 : 401)
            .header('www-authenticate', 'Basic realm="queues"')
            .header('content-type', 'application/problem+json')
            .send({
              type: `urn:vb365-orchestrator:problem:${principal ? 'forbidden' : 'unauthenticated'}`,
              title: principal ? 'The API key is not allowed to do this.' : 'A valid API key is required.',
              status: principal ? 403 : 401,
              detail: 'Bull Board needs an API key with the admin scope (HTTP Basic password or Bearer).',
              code: principal ? 'FORBIDDEN' : 'UNAUTHENTICATED',
            });
        }
      });
      await scope.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
    },
  );
}
