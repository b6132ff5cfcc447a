/**
 * The dial plan of the home's phones (issue 14, "Outgoing"): what a phone dialled becomes. In order:
 * 1. a feature code (a `*` code, as PBXs have them) runs a feature;
 * 2. an extension's number rings that extension;
 * 3. a TelCPName or a Telephony Client's name calls inside the home (the Telephony Server's in-home call);
 * 4. anything else that is a telephone number goes out on a line, the outside prefix stripped and the added prefix
 *    put in front.
 * No SIP here: the phones' SIP side asks with the Request-URI's user part (or a tel: number).
 */

/** The features a phone reaches by code. */
export type Feature = 'dnd-on' | 'dnd-off' | 'forward-all-on' | 'forward-all-off' | 'voicemail';

/**
 * The codes, those of FreePBX's feature code list (public documentation; our reading, docs/decisions.md): *78/*79 do
 * not disturb on/off, *72<number> forward all calls to the number, *73 forward off, *97 the home's voicemail.
 */
export const featureCodes: ReadonlyArray<{ readonly code: string; readonly feature: Feature; readonly takesNumber?: true }> = [
  { code: '*78', feature: 'dnd-on' },
  { code: '*79', feature: 'dnd-off' },
  { code: '*72', feature: 'forward-all-on', takesNumber: true },
  { code: '*73', feature: 'forward-all-off' },
  { code: '*97', feature: 'voicemail' },
];

export type DialTarget =
  | { readonly kind: 'feature'; readonly feature: Feature; readonly number?: string }
  | { readonly kind: 'extension'; readonly number: string }
  | { readonly kind: 'home'; readonly name: string }
  | { readonly kind: 'outside'; readonly line: string; readonly number: string };

/** How outside numbers go out: on which line, with which prefixes. */
export interface OutsideRules {
  /** The line outside numbers go out on. */
  readonly line: string;
  /** Stripped from the front of an outside number when it is there ("0" for an outside line). */
  readonly outsidePrefix?: string;
  /** Put in front of every outside number. */
  readonly addPrefix?: string;
}

/** The home's rules, and an extension's own where it has them (each field it names replaces the home's). */
export interface DialPlanRules extends OutsideRules {
  readonly extensions?: Readonly<Record<string, Partial<OutsideRules>>>;
}

/** What the plan asks about the home: whether a number is an extension's, a name a TelCPName's or a TC's. */
export interface DialPlanHome {
  isExtension(number: string): boolean;
  isHomeName(name: string): boolean;
}

/** Why a dialled string goes nowhere. */
export type DialRefusal = 'empty' | 'unknown-feature' | 'not-a-number';

/** A telephone number as dialled: digits, `+` first, `*` and `#`, with the visual separators RFC 3966 allows. */
const dialable = /^\+?[0-9*#][0-9*#\-.() ]*$/;

export class DialPlan {
  constructor(
    private readonly rules: DialPlanRules,
    private readonly home: DialPlanHome,
  ) {}

  /** Where `dialed` goes, dialled by extension `from` (its own outside rules) or by the home; or why nowhere. */
  route(dialed: string, from?: string): DialTarget | DialRefusal {
    const d = dialed.trim();
    if (d === '') return 'empty';
    if (d.startsWith('*')) return this.feature(d.replace(/[-.() ]/g, ''));
    if (this.home.isExtension(d)) return { kind: 'extension', number: d };
    if (this.home.isHomeName(d)) return { kind: 'home', name: d };
    if (!dialable.test(d)) return 'not-a-number';
    const rules = this.outsideRules(from);
    let number = d.replace(/[-.() ]/g, '');
    const strip = rules.outsidePrefix;
    if (strip !== undefined && number.startsWith(strip) && number.length > strip.length) number = number.slice(strip.length);
    return { kind: 'outside', line: rules.line, number: `${rules.addPrefix ?? ''}${number}` };
  }

  private outsideRules(from: string | undefined): OutsideRules {
    const own = from === undefined ? undefined : this.rules.extensions?.[from];
    return own ? { ...this.rules, ...own } : this.rules;
  }

  private feature(code: string): DialTarget | DialRefusal {
    for (const f of featureCodes) {
      if (f.takesNumber && code.startsWith(f.code) && code.length > f.code.length) {
        const number = code.slice(f.code.length).replace(/#$/, '');
        return /^\+?[0-9]+$/.test(number) ? { kind: 'feature', feature: f.feature, number } : 'not-a-number';
      }
      if (code === f.code || code === `${f.code}#`) return { kind: 'feature', feature: f.feature };
    }
    return 'unknown-feature';
  }
}
