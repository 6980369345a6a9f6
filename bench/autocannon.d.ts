// The part of autocannon's API bench/web.ts uses (the package ships no types).
declare module 'autocannon' {
  interface Client {
    setHeaders(headers: Record<string, string>): void;
    on(event: 'response', listener: (status: number, bytes: number, ms: number) => void): void;
  }
  interface RequestParams {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
  }
  interface Options {
    url: string;
    connections?: number;
    amount?: number;
    /** seconds */
    timeout?: number;
    setupClient?: (client: Client) => void;
    requests?: (RequestParams & { setupRequest?: (req: RequestParams) => RequestParams })[];
  }
  interface Result {
    errors: number;
    timeouts: number;
    non2xx: number;
    requests: { average: number; total: number };
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
