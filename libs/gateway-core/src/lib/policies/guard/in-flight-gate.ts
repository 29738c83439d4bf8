import type { ServerResponse } from 'node:http';

/**
 * The data-plane requests this gateway is working on, from the guard until their response is done
 * (sent, or the connection gone). One listener per admitted response, shared by all of them.
 */
export class InFlightGate {
  private count = 0;
  private readonly release = (): void => {
    this.count--;
  };

  constructor(private readonly max: number) {}

  /** Admits the request (counted until its response closes), or answers false when the gateway is full. */
  enter(response: ServerResponse): boolean {
    if (this.count >= this.max) return false;
    // Already closed (the client left before the chain ran): 'close' will not come again.
    if (response.destroyed) return true;
    this.count++;
    // 'close' is emitted once per response, whether it was sent or the connection dropped.
    response.on('close', this.release);
    return true;
  }

  get inFlight(): number {
    return this.count;
  }
}
