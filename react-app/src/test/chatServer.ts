/**
 * A conversation kept like the API keeps it (a tree of messages: regenerating or editing adds a version
 * beside the old one), answering GET /api/conversations/<id>?at= and POST /api/chat (SSE) on the test
 * server, so the chat's tools can be driven end to end in jsdom.
 */
import type { ServerResponse } from 'node:http';
import { json, type TestServer } from './server';

interface Node {
  id: string;
  parent_id: string | null;
  seq: number;
  role: 'user' | 'assistant';
  content: string;
  status: 'complete' | 'incomplete';
}

export const sse = (res: ServerResponse, event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

export class FakeConversation {
  nodes: Node[] = [];
  leaf: string | null = null;
  replies = 0;
  /** The model the conversation keeps (null: the default); a chat request's `model` replaces it. */
  model: string | null = null;
  /** Every POST /api/chat body, parsed. */
  sent: Record<string, unknown>[] = [];
  /** Every ?at= asked for (null: none). */
  viewed: (string | null)[] = [];
  private ids = 0;

  constructor(
    public id: string,
    public title = 'A conversation',
  ) {}

  private add(parent: string | null, role: Node['role'], content: string, id = `${role === 'user' ? 'q' : 'a'}${++this.ids}`): Node {
    const n: Node = { id, parent_id: parent, seq: this.nodes.length, role, content, status: 'complete' };
    this.nodes.push(n);
    return n;
  }

  /** Questions and answers one after the other; the ids are q1, a2, q3, a4… */
  static with(id: string, title: string, turns: [string, string][]): FakeConversation {
    const c = new FakeConversation(id, title);
    let parent: string | null = null;
    for (const [q, a] of turns) parent = c.add(c.add(parent, 'user', q).id, 'assistant', a).id;
    c.leaf = parent;
    return c;
  }

  /** Add a version of message `of` (same parent) with its own reply below when it is a question. */
  version(of: string, content: string, reply?: string): string {
    const old = this.get(of);
    const n = this.add(old.parent_id, old.role, content);
    if (reply) this.add(n.id, 'assistant', reply);
    return n.id;
  }

  get(id: string): Node {
    const n = this.nodes.find((m) => m.id === id);
    if (!n) throw new Error(`no message ${id}`);
    return n;
  }

  private children = (parent: string | null) => this.nodes.filter((m) => m.parent_id === parent);

  private latestLeaf(start: string | null): string | null {
    let node = start;
    for (;;) {
      const kids = this.children(node);
      if (!kids.length) return node;
      node = kids[kids.length - 1].id;
    }
  }

  path(leaf: string | null): Node[] {
    const out: Node[] = [];
    for (let n = leaf; n; n = this.get(n).parent_id) out.unshift(this.get(n));
    return out;
  }

  view(at: string | null) {
    const leaf = at ? this.latestLeaf(at) : (this.leaf ?? this.latestLeaf(null));
    return {
      id: this.id,
      title: this.title,
      model: this.model,
      system: null,
      created_at: '2026-01-02T10:00:00Z',
      updated_at: '2026-01-02T10:00:00Z',
      current_leaf_id: leaf,
      messages: this.path(leaf).map((m) => ({ ...m, created_at: '2026-01-02T10:00:00Z', engine: m.role === 'assistant' ? 'gemini' : null, model: m.role === 'assistant' ? 'test-model' : null, versions: this.children(m.parent_id).map((v) => v.id) })),
    };
  }

  /** What the API does with a chat request: the question saved (or reused), the reply to come. */
  turn(body: { message: string; regenerate?: boolean; edit_of?: string; parent_id?: string }): { question: Node; history: Node[] } {
    if (body.regenerate) {
      const anchor = this.get(body.parent_id ?? this.leaf!);
      const question = anchor.role === 'user' ? anchor : this.get(anchor.parent_id!);
      return { question, history: this.path(question.id) };
    }
    const parent = body.edit_of ? this.get(body.edit_of).parent_id : (body.parent_id ?? this.leaf);
    const question = this.add(parent, 'user', body.message);
    this.leaf = question.id;
    return { question, history: this.path(question.id) };
  }

  reply(question: Node, content: string, status: Node['status'] = 'complete'): Node {
    const n = this.add(question.id, 'assistant', content);
    n.status = status;
    this.leaf = n.id;
    return n;
  }

  summary() {
    return { id: this.id, title: this.title, updated_at: '2026-01-02T10:00:00Z', message_count: this.nodes.length };
  }

  /**
   * Serve it: GET (with ?at=), the list, and POST /api/chat streaming "Reply N: <the history the model got>".
   * `hold`: a promise the stream waits on after its first piece (to test Stop).
   */
  serve(server: TestServer, opts: { hold?: () => Promise<void> } = {}) {
    server.routes.set(`GET /api/conversations/${this.id}`, (req, res) => {
      const at = new URL(req.url ?? '', 'http://x').searchParams.get('at');
      this.viewed.push(at);
      json(res, 200, this.view(at));
    });
    server.routes.set(`PATCH /api/conversations/${this.id}`, (_q, res, body) => {
      this.title = JSON.parse(body).title;
      json(res, 200, { id: this.id, title: this.title, updated_at: '2026-01-03T10:00:00Z' });
    });
    server.routes.set('POST /api/chat', async (_q, res, raw) => {
      const body = JSON.parse(raw);
      this.sent.push(body);
      if (body.model) this.model = body.model;
      const { question, history } = this.turn(body);
      const text = `Reply ${++this.replies}: ${history.map((m) => m.content).join(' / ')}`;
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      sse(res, 'meta', { conversation_id: this.id, engine: 'gemini', model: 'test-model', user_message_id: question.id });
      sse(res, 'delta', { text: text.slice(0, 8) });
      if (opts.hold) {
        let gone = false;
        res.on('close', () => (gone = true));
        await opts.hold();
        if (gone || res.destroyed) {
          this.reply(question, text.slice(0, 8), 'incomplete');
          return;
        }
      }
      sse(res, 'delta', { text: text.slice(8) });
      const saved = this.reply(question, text);
      sse(res, 'done', { message_id: saved.id, usage: {} });
      res.end();
    });
  }
}
