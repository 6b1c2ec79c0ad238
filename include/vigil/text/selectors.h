// Selector extraction: the contact points and amounts a post gives.
//
//   phone   E.164 ("+9647701234567"). Found by libphonenumber's matcher in
//           the normalised text (so Arabic-Indic digits and bidi marks are
//           already folded), trying region IQ, then SY, then TR for numbers
//           written without a country code.
//   handle  "@name" lower-case: "@name" mentions and t.me / telegram.me /
//           instagram.com profile links.
//   url     as written, with "https://" added when the scheme is missing.
//   email   lower-case.
//   wallet  "btc:<addr>" (bech32 bc1... or base58 1.../3...), "eth:0x<40 hex>"
//           (lower-case), "trx:T<33 base58>".
//   price   "<amount> <ISO 4217>" ("500 USD") for a number beside a currency
//           term, or "<amount>" after a price term ("price: 500").
//   age     "<years>" for 1..99 beside an age term ("15 years old", "عمرها 15").
//
// Spans are byte ranges in the ORIGINAL text. All functions are pure and
// thread-safe.
#ifndef VIGIL_TEXT_SELECTORS_H_
#define VIGIL_TEXT_SELECTORS_H_

#include <string_view>
#include <vector>

#include "vigil/text/analyzer.h"
#include "vigil/text/lexicon.h"
#include "vigil/text/normalize.h"

namespace vigil::text {

// Appends phones, handles, urls, emails and wallets found in the post.
// `normalised` must be `original` passed through Normalizer::Normalize.
void ExtractContacts(std::string_view original, const NormalizedText& normalised,
                     std::vector<Selector>* out);

// Appends prices and ages anchored on the lexicon matches `matches` (from
// IndicatorMatcher::Scan over `normalised`).
void ExtractAmounts(const NormalizedText& normalised, const std::vector<TermMatch>& matches,
                    const Lexicon& lexicon, std::vector<Selector>* out);

}  // namespace vigil::text

#endif  // VIGIL_TEXT_SELECTORS_H_
