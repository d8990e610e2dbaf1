import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { MetricsService } from '@app/platform';
import { Public } from '../auth/auth.decorators';

interface RawReply {
  header(name: string, value: string): RawReply;
  send(body: string): void;
}

@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('cache-control', 'no-store')
  async scrape(@Res() reply: RawReply): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    reply.header('content-type', contentType).send(body);
  }
}
