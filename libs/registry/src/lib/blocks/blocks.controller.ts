import { type Actor, Admin, RequestActor } from '@lgsp/admin-auth';
import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

import { ReasonDto } from '../consumers/dto/consumer.dto';
import { BlocksService } from './blocks.service';
import { CreateBlockDto } from './dto/block.dto';

@ApiTags('kill switches')
@Controller('admin/v1/blocks')
export class BlocksController {
  constructor(@Inject(BlocksService) private readonly blocks: BlocksService) {}

  @Get()
  @Admin('dgo-admin', 'soc-analyst')
  list(@Query('all') all?: string) {
    return this.blocks.list(all === 'true');
  }

  @Post()
  @Admin('dgo-admin')
  create(@Body() body: CreateBlockDto, @RequestActor() actor: Actor) {
    return this.blocks.create(body, actor);
  }

  @Post(':id/lift')
  @HttpCode(200)
  @Admin('dgo-admin')
  lift(@Param('id', ParseUUIDPipe) id: string, @Body() body: ReasonDto, @RequestActor() actor: Actor) {
    return this.blocks.lift(id, body.reason, actor);
  }
}
