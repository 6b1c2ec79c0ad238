#include "vigil/store/records.h"

#include "vigil/store/account_store.h"

namespace vigil::store {

std::string_view MatchKindName(MatchKind k) { return k == MatchKind::kMedia ? "media" : "list"; }

std::optional<MatchKind> MatchKindFromName(std::string_view name) {
  if (name == "list") return MatchKind::kList;
  if (name == "media") return MatchKind::kMedia;
  return std::nullopt;
}

std::string_view CandidateKindName(CandidateKind k) {
  return k == CandidateKind::kPdq ? "pdq" : "face";
}

std::optional<CandidateKind> CandidateKindFromName(std::string_view name) {
  if (name == "face") return CandidateKind::kFace;
  if (name == "pdq") return CandidateKind::kPdq;
  return std::nullopt;
}

std::string_view DecisionTypeName(DecisionType t) {
  switch (t) {
    case DecisionType::kConfirm:
      return "confirm";
    case DecisionType::kDismiss:
      return "dismiss";
    case DecisionType::kEscalate:
      return "escalate";
  }
  return "confirm";
}

std::optional<DecisionType> DecisionTypeFromName(std::string_view name) {
  for (DecisionType t : {DecisionType::kConfirm, DecisionType::kDismiss, DecisionType::kEscalate}) {
    if (DecisionTypeName(t) == name) return t;
  }
  return std::nullopt;
}

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "admin";
    case Role::kCoordinator:
      return "coordinator";
    case Role::kAnalyst:
      return "analyst";
    case Role::kAuditor:
      return "auditor";
  }
  return "analyst";
}

std::optional<Role> RoleFromName(std::string_view name) {
  for (Role r : {Role::kAdmin, Role::kCoordinator, Role::kAnalyst, Role::kAuditor}) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

}  // namespace vigil::store
