/**
 * Entity rules (DESIGN §5, bc-sync-semantics §4.10): what one mapping does beyond its field mappings — compute a
 * value, add related rows, publish a product, fix a parent's primary contact. The generic page pipeline
 * (activities/page/) calls a mapping's rules at two points, and hands the lookups their `neverCreates`; a mapping's
 * rules live in one file named after it (activities/entity-rules/<mapping>.ts), pure parts in engine/ or mappings/.
 */
import type { IntegrationTableMapping } from '../../mappings';
import type { LookupResolver } from '../../engine';
import type { SyncDeps } from '../deps';
import type { SyncOnDemand } from '../page/on-demand';
import type { Item, PageWork } from '../page/work';

export interface RuleContext {
  readonly deps: SyncDeps;
  readonly work: PageWork;
  /** The page's resolved lookups (what the engine decided with), for rules that decide a record again. */
  readonly lookups?: LookupResolver;
  /** Synchronizes referenced BC records that are not coupled yet through their own mapping (absent on pages that
   *  themselves run on demand). */
  readonly syncOnDemand?: SyncOnDemand;
}

export interface EntityRules {
  /**
   * Other mappings whose couplings these rules write (CONTACT's primary-contact fix-ups record CUSTOMER pairs as
   * synchronized). A run of this mapping holds their leases too (activities/mapping-lease.ts), so no run of theirs
   * decides those pairs while the rules change them. (Default: none)
   */
  readonly writesCouplingsOf?: readonly string[];
  /**
   * The changed phase of every pass reads every source record, not only those modified since the watermark: for a
   * small table whose written values derive from other tables (CURRENCY's exchange rates). Unchanged records are still
   * counted unchanged. (Default: false)
   */
  readonly readsEverySourceRecord?: boolean;
  /**
   * The rules look at records whose mapped values did not change, with their destination record (CURRENCY writes a
   * moved exchange rate on an unchanged currency). Without it, a record that holds the values last synchronized is
   * counted unchanged before its lookups and destination are read (engine `unchangedSource`). (Default: false)
   */
  readonly decidesUnchangedRecords?: boolean;
  /**
   * Why these rules never create a destination record for an uncoupled Business Central record (ITEM-PRODUCT: a
   * blocked item gets no product), as advice a user can act on; undefined when they would. A record whose lookup
   * points at such a record fails with it instead of "run <mapping> first", which could not help.
   */
  neverCreates?(m: IntegrationTableMapping, record: Record<string, unknown>): string | undefined;
  /**
   * Before the destination writes: may complete a planned write's payload (`plan(item.decision).payload`), or fail
   * an item by setting `item.failure` to a message a user can act on. Also called for an item the write step decided
   * again (a create answered "already exists" and matched to the holder), before that new plan is written: it must
   * be idempotent per item. Throws only for whole-page problems (an API down), which the activity retries.
   */
  beforeWrite?(ctx: RuleContext, items: Item[]): Promise<void>;
  /**
   * After the destination writes, before the page commits: follow-up writes on the records just written (`item.written`).
   * Must be idempotent: a retried page runs it again for records an earlier attempt already wrote.
   */
  afterWrite?(ctx: RuleContext, items: Item[]): Promise<void>;
}
