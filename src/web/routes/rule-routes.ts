/**
 * The screening rules and do-not-disturb over HTTP (issue 13, seed 004 2.2 3 vi): list, add and remove rules; read
 * and change DND. Every route is one call of the RuleBook; a change the CLI made is read first (refreshIfChanged).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { HandlingAction, Rule as RuleModel, RuleBook, RuleDraft } from '../../callhandling/index.js';
import { Dnd, DndChange, Rule, RuleDraft as RuleDraftSchema, RuleList, RuleParams, RuleQuery, type DndBody, type RuleBody } from '../rule-schemas.js';

// The model's arrays are readonly; the response's are the same arrays.
const body = (r: RuleModel): RuleBody => r as RuleBody;

const refused = { 400: Type.Ref('Error'), 404: Type.Ref('Error') };

export function ruleRoutes(rules: RuleBook, now: () => number): FastifyPluginAsyncTypebox {
  const dnd = (): DndBody => ({ ...(rules.dnd() as Omit<DndBody, 'active'>), active: rules.dndActive(now()) });
  return async (app) => {
    app.addHook('onRequest', async () => {
      rules.refreshIfChanged();
    });
    app.get('/api/rules', { schema: { tags: ['rules'], summary: 'The screening rules, oldest first, one page', querystring: RuleQuery, response: { 200: RuleList } } }, async (req) => {
      const all = rules.list();
      const offset = Number(req.query.offset ?? 0);
      return { rules: all.slice(offset, offset + Math.min(Number(req.query.limit ?? 500), 5000)).map(body), total: all.length };
    });
    // The body's shape is the schema's; what it means is the rule book's to check (RuleInvalid → 400 with its message).
    app.post('/api/rules', { schema: { tags: ['rules'], summary: 'Adds a screening rule', body: RuleDraftSchema, response: { 201: Rule, ...refused } } }, async (req, reply) =>
      reply.code(201).send(body(rules.add(req.body as RuleDraft))),
    );
    app.delete('/api/rules/:id', { schema: { tags: ['rules'], summary: 'Removes a screening rule', params: RuleParams, response: { 200: Type.Object({ ok: Type.Boolean() }), ...refused } } }, async (req, reply) =>
      rules.remove(req.params.id) ? { ok: true } : reply.code(404).send({ error: 'callhandling.rule-not-found', message: `no rule ${req.params.id}` }),
    );
    app.get('/api/dnd', { schema: { tags: ['rules'], summary: 'Do-not-disturb: on/off, its action, VIPs that ring, its schedules', response: { 200: Dnd } } }, async () => dnd());
    app.put('/api/dnd', { schema: { tags: ['rules'], summary: 'Changes do-not-disturb (only the fields given)', body: DndChange, response: { 200: Dnd, ...refused } } }, async (req) => {
      const { action, ...rest } = req.body;
      rules.setDnd({ ...rest, ...(action !== undefined ? { action: action as HandlingAction } : {}) });
      return dnd();
    });
  };
}
