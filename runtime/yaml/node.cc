#include <algorithm>
#include <cassert>

#include "runtime/yaml/emitter.h"

namespace kfpc::yaml {

Node Node::Bool(bool value) {
  Node node;
  node.value_ = value;
  return node;
}

Node Node::Int(int64_t value) {
  Node node;
  node.value_ = value;
  return node;
}

Node Node::Double(double value) {
  Node node;
  node.value_ = value;
  return node;
}

Node Node::String(std::string value) {
  Node node;
  node.value_ = StringValue{std::move(value)};
  return node;
}

Node Node::Sequence() {
  Node node;
  node.value_ = SequenceItems{};
  return node;
}

Node Node::Mapping() {
  Node node;
  node.value_ = MappingEntries{};
  return node;
}

void Node::Append(Node item) {
  assert(IsSequence());
  std::get<SequenceItems>(value_).items.push_back(std::move(item));
}

void Node::Set(std::string key, Node value) {
  assert(IsMapping());
  auto& entries = std::get<MappingEntries>(value_).entries;
  auto it = std::lower_bound(entries.begin(), entries.end(), key,
                             [](const Entry& entry, const std::string& k) { return entry.first < k; });
  if (it != entries.end() && it->first == key) {
    it->second = std::move(value);
  } else {
    entries.insert(it, Entry(std::move(key), std::move(value)));
  }
}

const Node* Node::Find(const std::string& key) const {
  assert(IsMapping());
  const auto& entries = std::get<MappingEntries>(value_).entries;
  auto it = std::lower_bound(entries.begin(), entries.end(), key,
                             [](const Entry& entry, const std::string& k) { return entry.first < k; });
  return it != entries.end() && it->first == key ? &it->second : nullptr;
}

size_t Node::Size() const {
  if (const auto* seq = std::get_if<SequenceItems>(&value_)) return seq->items.size();
  if (const auto* map = std::get_if<MappingEntries>(&value_)) return map->entries.size();
  return 0;
}

}  // namespace kfpc::yaml
