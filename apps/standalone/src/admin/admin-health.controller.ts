import { Controller, Get } from '@nestjs/common';

/** The admin listener's liveness; the admin API itself arrives with the registry. */
@Controller('health')
export class AdminHealthController {
  @Get('live')
  live(): { status: string } {
    return { status: 'ok' };
  }
}
