#include "vigil/evidence/sealer.h"

#include <gtest/gtest.h>

namespace vigil::evidence {
namespace {

TEST(SealerTest, OpensOnlyWithItsKeyAndAssociatedData) {
  auto keys = Keys::Generate(0);
  auto other = Keys::Generate(0);
  ASSERT_TRUE(keys.ok() && other.ok());
  auto sealer = Sealer::Create(*keys, 1, "vigilreg");
  ASSERT_TRUE(sealer.ok()) << sealer.status().ToString();
  const std::string sealed = (*sealer)->Seal("person|C-1", "name: Test Person");
  EXPECT_EQ(sealed.find("Test Person"), std::string::npos);
  EXPECT_NE((*sealer)->Seal("person|C-1", "name: Test Person"), sealed) << "fresh nonce";
  auto plain = (*sealer)->Open("person|C-1", sealed, "case C-1");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "name: Test Person");

  EXPECT_EQ((*sealer)->Open("person|C-2", sealed, "case C-2").status().code(), StatusCode::kCorrupt)
      << "moved to another case";
  std::string altered = sealed;
  altered.back() ^= 1;
  EXPECT_EQ((*sealer)->Open("person|C-1", altered, "x").status().code(), StatusCode::kCorrupt);
  EXPECT_EQ((*sealer)->Open("person|C-1", sealed.substr(0, 10), "x").status().code(),
            StatusCode::kCorrupt);
  auto foreign = Sealer::Create(*other, 1, "vigilreg");
  ASSERT_TRUE(foreign.ok());
  EXPECT_FALSE((*foreign)->Open("person|C-1", sealed, "x").ok()) << "another installation";
  auto subkey2 = Sealer::Create(*keys, 2, "vigilreg");
  ASSERT_TRUE(subkey2.ok());
  EXPECT_FALSE((*subkey2)->Open("person|C-1", sealed, "x").ok()) << "another subkey";
  EXPECT_EQ(Sealer::Create(*keys, 1, "short").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::evidence
