/**
 * Telephone numbers and SIP URIs as the address book matches them: every address becomes a key, and two addresses
 * are the same when their keys are equal. Telephone numbers — written nationally, internationally, as `tel:` URIs
 * or as the user part of a SIP URI — become E.164 (`+49301234567`, via libphonenumber-js and its full metadata);
 * other SIP URIs become the canonical form of sip-uri-key.ts.
 *
 * A number dialled without any prefix (no `+`, no international or trunk prefix) is read the way a phone in the
 * configured area would dial it: as a local subscriber number behind the area code (`1234567` in area 30 of DE →
 * +49301234567) when that makes a valid number, else as a national number (NANP numbers are written without the
 * trunk prefix: `2125551234` in the US is +12125551234). Validity is the metadata's; a number that is only
 * "possible" (right length, unknown range) still gets a key, the local reading first. Fewer than 5 digits without
 * a prefix are service codes or extensions and get no key (nor does `**610`): they match nothing.
 */
import { getCountryCallingCode, isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';
import { parseSipUri, sipParam, sipUriKey, stripNameAddr, unescapeAll } from './sip-uri-key.js';

/** Where the home is: how numbers dialled without a country or area code are read. */
export interface NumberPlan {
  /** ISO 3166-1 alpha-2, e.g. `DE`. */
  readonly country: string;
  /** The national area code without the trunk prefix, e.g. `30` for Berlin. */
  readonly areaCode?: string;
}

/**
 * Versions the keys: stored keys (and the search texts made from them) were made with this plan and these rules.
 * A repository keyed under another identity is re-keyed (a changed country or area code changes what local numbers
 * mean). v2: the search text is one per contact (store migration 7).
 */
export function planIdentity(plan: NumberPlan): string {
  return `keys-v2/${plan.country.toUpperCase()}/${plan.areaCode ?? ''}`;
}

/** Why a plan cannot be used, or undefined when it can. */
export function planProblem(plan: NumberPlan): string | undefined {
  if (!isSupportedCountry(plan.country.toUpperCase())) return `unknown country "${plan.country}" (ISO 3166-1 alpha-2, e.g. DE)`;
  if (plan.areaCode !== undefined && !/^\d{1,6}$/.test(plan.areaCode)) return `the area code "${plan.areaCode}" must be digits (without the trunk prefix, e.g. 30)`;
  return undefined;
}

/** A telephone number as people write it: `+`, digits and visual separators (RFC 3966 and the usual `/`). */
const writtenNumber = /^\+?[\d\s\-.()/\u00a0]*\d[\d\s\-.()/\u00a0]*$/;
/**
 * Shorter numbers dialled without a prefix are service codes (110, 112) and internal extensions (a FRITZ!Box's
 * `21`), not subscribers behind the area code; metadata calls `+4930110` valid, so length has to say it.
 */
const MIN_LOCAL_DIGITS = 5;
/** Also dialable but never E.164: service codes and internal numbers (`**610`, `#31#`). */
const dialString = /^[+\d*#\s\-.()/\u00a0]*\d[\d*#\s\-.()/\u00a0]*$/;

/** The matching key of an address (see the module comment), or undefined when it is neither a number nor a SIP URI. */
export function addressKey(value: string, plan: NumberPlan): string | undefined {
  const text = stripNameAddr(value);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'tel') return subscriberKey(text.slice(4), plan);
  if (scheme === 'sip' || scheme === 'sips') {
    const uri = parseSipUri(text);
    if (!uri) return undefined;
    // The user part is a telephone number when the URI says so (user=phone), or when it looks like one.
    if (uri.user !== undefined && uri.password === undefined && (sipParam(uri, 'user') === 'phone' || writtenNumber.test(unescapeAll(uri.user)))) {
      const key = subscriberKey(unescapeAll(uri.user), plan);
      if (key) return key;
    }
    return sipUriKey(uri);
  }
  return writtenNumber.test(text) ? numberKey(text, plan) : undefined;
}

/** True when the address is something a phone dials: a telephone number (also `**610`), not a SIP URI. */
export function isTelephoneNumber(value: string, plan: NumberPlan): boolean {
  return addressKey(value, plan)?.startsWith('+') === true || dialString.test(value.trim());
}

/**
 * An address for people: a number of the plan's country in its national format (`030 1234567`), another in the
 * international one (`+44 20 7946 0958`); anything else as it was written.
 */
export function displayNumber(value: string, plan: NumberPlan): string {
  const key = addressKey(value, plan);
  const number = key?.startsWith('+') ? parsePhoneNumberFromString(key) : undefined;
  if (!number) return value.trim();
  const country = countryOf(plan);
  return country && number.countryCallingCode === getCountryCallingCode(country) ? number.formatNational() : number.formatInternational();
}

/**
 * An RFC 3966 telephone-subscriber (a tel: URI's body, or a SIP user part with user=phone): a global number, or a
 * local one in the context of its `phone-context` (a global number prefix; a domain context tells nothing
 * about the digits, so the plan reads it). `ext` and `isub` are not part of the key.
 */
function subscriberKey(subscriber: string, plan: NumberPlan): string | undefined {
  const [number = '', ...params] = subscriber.split(';');
  const context = params.find((p) => p.toLowerCase().startsWith('phone-context='))?.slice('phone-context='.length);
  if (!writtenNumber.test(number)) return undefined;
  if (!number.startsWith('+') && context?.startsWith('+')) return numberKey(`${context}${number}`, plan);
  return numberKey(number, plan);
}

/** A written telephone number → E.164 (module comment), or undefined when it is not a possible number. */
function numberKey(text: string, plan: NumberPlan): string | undefined {
  const country = countryOf(plan);
  const digits = text.replace(/\D/g, '');
  if (digits.length > 17) return undefined;
  const asWritten = parse(text, country);
  if (text.trim().startsWith('+') || !country) return asWritten?.isPossible() ? asWritten.number : undefined;
  // libphonenumber strips a trunk or international prefix it finds; nothing stripped means no prefix was dialled.
  const prefixed = asWritten !== undefined && asWritten.nationalNumber !== digits;
  if (!prefixed && digits.length < MIN_LOCAL_DIGITS) return undefined;
  if (!prefixed && plan.areaCode) {
    const local = parse(`+${getCountryCallingCode(country)}${plan.areaCode}${digits}`, undefined);
    if (local?.isValid()) return local.number;
    if (asWritten?.isValid()) return asWritten.number;
    if (local?.isPossible()) return local.number;
  }
  return asWritten?.isPossible() ? asWritten.number : undefined;
}

function parse(text: string, country: CountryCode | undefined): PhoneNumber | undefined {
  return country ? parsePhoneNumberFromString(text, country) : parsePhoneNumberFromString(text);
}

function countryOf(plan: NumberPlan): CountryCode | undefined {
  const country = plan.country.toUpperCase();
  return isSupportedCountry(country) ? country : undefined;
}
