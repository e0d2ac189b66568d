// SPDX-License-Identifier: MIT
#include "vk_context.h"

#include <fmt/format.h>

#include <chrono>
#include <algorithm>
#include <cstring>
#include <vector>

#include "daedalus/error.h"

namespace daedalus::dispatch::vk {

void check(VkResult r, const char* what) {
  if (r != VK_SUCCESS) throw Error(fmt::format("vulkan backend: {} failed (VkResult {})", what, static_cast<int>(r)));
}

ComputePipeline create_compute_pipeline(VkDevice dev, const uint32_t* words, size_t num_words,
                                        uint32_t num_buffers, uint32_t push_size, int spec0,
                                        VkPipelineCreateFlags flags, double* create_ms) {
  ComputePipeline p;
  std::vector<VkDescriptorSetLayoutBinding> bindings(num_buffers);
  for (uint32_t i = 0; i < num_buffers; i++)
    bindings[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo dslci{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  dslci.bindingCount = num_buffers;
  dslci.pBindings = bindings.data();
  check(vkCreateDescriptorSetLayout(dev, &dslci, nullptr, &p.set_layout), "vkCreateDescriptorSetLayout");

  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_size};
  VkPipelineLayoutCreateInfo plci{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  plci.setLayoutCount = 1;
  plci.pSetLayouts = &p.set_layout;
  plci.pushConstantRangeCount = push_size ? 1 : 0;
  plci.pPushConstantRanges = &range;
  check(vkCreatePipelineLayout(dev, &plci, nullptr, &p.layout), "vkCreatePipelineLayout");

  VkShaderModuleCreateInfo smci{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  smci.codeSize = num_words * 4;
  smci.pCode = words;
  VkShaderModule sm;
  if (VkResult r = vkCreateShaderModule(dev, &smci, nullptr, &sm); r != VK_SUCCESS) {
    vkDestroyPipelineLayout(dev, p.layout, nullptr);
    vkDestroyDescriptorSetLayout(dev, p.set_layout, nullptr);
    check(r, "vkCreateShaderModule");
  }
  VkComputePipelineCreateInfo cpci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  cpci.flags = flags;
  cpci.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  cpci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  cpci.stage.module = sm;
  cpci.stage.pName = "main";
  int32_t spec_value = spec0;
  VkSpecializationMapEntry entry{0, 0, sizeof(int32_t)};
  VkSpecializationInfo spec{1, &entry, sizeof(int32_t), &spec_value};
  if (spec0 >= 0) cpci.stage.pSpecializationInfo = &spec;
  cpci.layout = p.layout;
  const auto t0 = std::chrono::steady_clock::now();
  VkResult r = vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpci, nullptr, &p.pipeline);
  if (create_ms) *create_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  vkDestroyShaderModule(dev, sm, nullptr);
  if (r != VK_SUCCESS) {
    vkDestroyPipelineLayout(dev, p.layout, nullptr);
    vkDestroyDescriptorSetLayout(dev, p.set_layout, nullptr);
  }
  check(r, "vkCreateComputePipelines");
  return p;
}

namespace {

bool has_layer(const char* name) {
  uint32_t n = 0;
  vkEnumerateInstanceLayerProperties(&n, nullptr);
  std::vector<VkLayerProperties> layers(n);
  vkEnumerateInstanceLayerProperties(&n, layers.data());
  for (auto& l : layers)
    if (std::strcmp(l.layerName, name) == 0) return true;
  return false;
}

bool has_device_extension(VkPhysicalDevice pd, const char* name) {
  uint32_t n = 0;
  vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, nullptr);
  std::vector<VkExtensionProperties> exts(n);
  vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, exts.data());
  for (auto& e : exts)
    if (std::strcmp(e.extensionName, name) == 0) return true;
  return false;
}

}  // namespace

VKAPI_ATTR VkBool32 VKAPI_CALL Context::on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                   VkDebugUtilsMessageTypeFlagsEXT,
                                                   const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
  auto* count = static_cast<std::atomic<uint64_t>*>(user);
  if (severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) {
    (*count)++;
    fmt::print(stderr, "daedalus vulkan validation: {}\n", data && data->pMessage ? data->pMessage : "?");
  }
  return VK_FALSE;
}

Context::Context(const ContextOptions& opts) {
  validation_ = opts.validation;
  if (validation_ && !has_layer("VK_LAYER_KHRONOS_validation"))
    throw Error("vulkan backend: validation requested but VK_LAYER_KHRONOS_validation is not installed");

  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "daedalus";
  app.pEngineName = "daedalus-dispatch";
  app.apiVersion = VK_API_VERSION_1_3;

  std::vector<const char*> layers, exts;
  if (validation_) {
    layers.push_back("VK_LAYER_KHRONOS_validation");
    exts.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  }
  VkDebugUtilsMessengerCreateInfoEXT dbg{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  dbg.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  dbg.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                    VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  dbg.pfnUserCallback = &Context::on_message;
  dbg.pUserData = messages_.get();

  VkInstanceCreateInfo ici{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  ici.pApplicationInfo = &app;
  ici.enabledLayerCount = static_cast<uint32_t>(layers.size());
  ici.ppEnabledLayerNames = layers.data();
  // With validation, also the synchronization validation: it checks that
  // the barriers between dispatches are sufficient.
  VkValidationFeatureEnableEXT sync_feature = VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT;
  VkValidationFeaturesEXT features{VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT};
  features.enabledValidationFeatureCount = 1;
  features.pEnabledValidationFeatures = &sync_feature;
  if (validation_) {
    exts.push_back(VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME);
    features.pNext = &dbg;  // the messenger also catches instance creation issues
    ici.pNext = &features;
  }
  ici.enabledExtensionCount = static_cast<uint32_t>(exts.size());
  ici.ppEnabledExtensionNames = exts.data();
  check(vkCreateInstance(&ici, nullptr, &instance_), "vkCreateInstance");

  try {
    if (validation_) {
      auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
          vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
      if (!create) throw Error("vulkan backend: vkCreateDebugUtilsMessengerEXT unavailable");
      check(create(instance_, &dbg, nullptr, &messenger_), "vkCreateDebugUtilsMessengerEXT");
    }

    uint32_t n = 0;
    vkEnumeratePhysicalDevices(instance_, &n, nullptr);
    std::vector<VkPhysicalDevice> devs(n);
    vkEnumeratePhysicalDevices(instance_, &n, devs.data());
    if (devs.empty()) throw Error("vulkan backend: no physical device (is a Vulkan driver installed?)");
    const std::string& want = opts.device_name;
    std::string names;
    for (auto pd : devs) {
      VkPhysicalDeviceProperties p;
      vkGetPhysicalDeviceProperties(pd, &p);
      names += fmt::format("{}'{}'", names.empty() ? "" : ", ", p.deviceName);
      if (!phys_ && (want.empty() || std::strstr(p.deviceName, want.c_str()))) phys_ = pd;
    }
    if (!phys_) throw Error(fmt::format("vulkan backend: no device name contains '{}' (have {})", want, names));
    vkGetPhysicalDeviceProperties(phys_, &props_);
    vkGetPhysicalDeviceMemoryProperties(phys_, &mem_props_);
    name_ = props_.deviceName;
    if (props_.apiVersion < VK_API_VERSION_1_2)
      throw Error(fmt::format("vulkan backend: device '{}' supports only Vulkan {}.{}; need 1.2", name_,
                              VK_API_VERSION_MAJOR(props_.apiVersion), VK_API_VERSION_MINOR(props_.apiVersion)));

    // Features: only what V3DV has. The shaders need 8/16-bit storage
    // access; nothing else (no shaderInt8/16/64, no float64).
    VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    f11.pNext = &f12;
    VkPhysicalDeviceFeatures2 f2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    f2.pNext = &f11;
    vkGetPhysicalDeviceFeatures2(phys_, &f2);
    if (!f11.storageBuffer16BitAccess || !f12.storageBuffer8BitAccess)
      throw Error(fmt::format("vulkan backend: device '{}' lacks 8/16-bit storage buffer access", name_));

    uint32_t nq = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(phys_, &nq, nullptr);
    std::vector<VkQueueFamilyProperties> qf(nq);
    vkGetPhysicalDeviceQueueFamilyProperties(phys_, &nq, qf.data());
    bool found = false;
    for (uint32_t i = 0; i < nq; i++) {
      if (qf[i].queueFlags & VK_QUEUE_COMPUTE_BIT) {
        queue_family_ = i;
        ts_bits_ = qf[i].timestampValidBits;
        found = true;
        break;
      }
    }
    if (!found) throw Error(fmt::format("vulkan backend: device '{}' has no compute queue", name_));

    std::vector<const char*> dev_exts;
    has_dmabuf_ = has_device_extension(phys_, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME) &&
                  has_device_extension(phys_, VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME);
    if (opts.no_dmabuf_import) has_dmabuf_ = false;
    if (has_dmabuf_) {
      dev_exts.push_back(VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME);
      dev_exts.push_back(VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME);
    }

    pipeline_stats_ = opts.pipeline_stats &&
                      has_device_extension(phys_, VK_KHR_PIPELINE_EXECUTABLE_PROPERTIES_EXTENSION_NAME);
    if (pipeline_stats_) dev_exts.push_back(VK_KHR_PIPELINE_EXECUTABLE_PROPERTIES_EXTENSION_NAME);

    float prio = 1.0f;
    VkDeviceQueueCreateInfo qci{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    qci.queueFamilyIndex = queue_family_;
    qci.queueCount = 1;
    qci.pQueuePriorities = &prio;

    VkPhysicalDeviceVulkan12Features en12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    en12.storageBuffer8BitAccess = VK_TRUE;
    VkPhysicalDeviceVulkan11Features en11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    en11.storageBuffer16BitAccess = VK_TRUE;
    en11.pNext = &en12;
    VkPhysicalDevicePipelineExecutablePropertiesFeaturesKHR en_pe{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PIPELINE_EXECUTABLE_PROPERTIES_FEATURES_KHR};
    en_pe.pipelineExecutableInfo = VK_TRUE;
    if (pipeline_stats_) en12.pNext = &en_pe;
    VkPhysicalDeviceFeatures2 en{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    en.pNext = &en11;

    VkDeviceCreateInfo dci{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    dci.pNext = &en;
    dci.queueCreateInfoCount = 1;
    dci.pQueueCreateInfos = &qci;
    dci.enabledExtensionCount = static_cast<uint32_t>(dev_exts.size());
    dci.ppEnabledExtensionNames = dev_exts.data();
    check(vkCreateDevice(phys_, &dci, nullptr, &device_), "vkCreateDevice");
    vkGetDeviceQueue(device_, queue_family_, 0, &queue_);
    if (has_dmabuf_) {
      get_memory_fd_properties =
          reinterpret_cast<PFN_vkGetMemoryFdPropertiesKHR>(vkGetDeviceProcAddr(device_, "vkGetMemoryFdPropertiesKHR"));
      get_memory_fd = reinterpret_cast<PFN_vkGetMemoryFdKHR>(vkGetDeviceProcAddr(device_, "vkGetMemoryFdKHR"));
      if (!get_memory_fd_properties || !get_memory_fd) has_dmabuf_ = false;
    }
  } catch (...) {
    if (device_) vkDestroyDevice(device_, nullptr);
    if (messenger_) {
      auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
          vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
      if (destroy) destroy(instance_, messenger_, nullptr);
    }
    vkDestroyInstance(instance_, nullptr);
    throw;
  }
}

Context::~Context() {
  if (abandoned()) {  // see abandon(): the messenger may still report
    (void)messages_.release();
    return;
  }
  if (device_) {
    vkDeviceWaitIdle(device_);
    vkDestroyDevice(device_, nullptr);
  }
  if (messenger_) {
    auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
    if (destroy) destroy(instance_, messenger_, nullptr);
  }
  if (instance_) vkDestroyInstance(instance_, nullptr);
}

uint32_t Context::find_memory_type(uint32_t bits, VkMemoryPropertyFlags flags) const {
  for (uint32_t i = 0; i < mem_props_.memoryTypeCount; i++)
    if ((bits & (1u << i)) && (mem_props_.memoryTypes[i].propertyFlags & flags) == flags) return i;
  throw Error(fmt::format("vulkan backend: no memory type with flags {:#x} among bits {:#x}", flags, bits));
}

Buffer::Buffer(const Context& ctx, VkDeviceSize size, VkBufferUsageFlags usage) : ctx_(&ctx), size_(size) {
  const VkDevice device = ctx.device();
  // Shaders bind whole buffers: each must fit one storage-buffer range.
  if ((usage & VK_BUFFER_USAGE_STORAGE_BUFFER_BIT) && size + kOverreadSlack > ctx.properties().limits.maxStorageBufferRange)
    throw Error(fmt::format("vulkan backend: a {} byte buffer exceeds the device's storage buffer range of {} bytes", size,
                            ctx.properties().limits.maxStorageBufferRange));
  VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  // Slack past the end: drivers may load a whole word or vector around an
  // 8/16-bit SSBO element (llvmpipe does), and a buffer that ends on a page
  // boundary could then fault on its last element. (The guest faults once
  // blamed on this were buffers freed under a timed-out frame: see
  // Context::abandon().) Shaders never address the slack; size() stays `size`.
  bci.size = size + kOverreadSlack;
  bci.usage = usage;
  bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  check(vkCreateBuffer(device, &bci, nullptr, &buffer_), "vkCreateBuffer");
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(device, buffer_, &req);
  VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  mai.allocationSize = req.size;
  try {
    mai.memoryTypeIndex =
        ctx.find_memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    check(vkAllocateMemory(device, &mai, nullptr, &memory_), "vkAllocateMemory");
    check(vkBindBufferMemory(device, buffer_, memory_, 0), "vkBindBufferMemory");
    void* p = nullptr;
    check(vkMapMemory(device, memory_, 0, VK_WHOLE_SIZE, 0, &p), "vkMapMemory");
    data_ = static_cast<uint8_t*>(p);
  } catch (...) {
    reset();
    throw;
  }
}

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    reset();
    ctx_ = o.ctx_;
    buffer_ = o.buffer_;
    memory_ = o.memory_;
    size_ = o.size_;
    data_ = o.data_;
    o.buffer_ = VK_NULL_HANDLE;
    o.memory_ = VK_NULL_HANDLE;
    o.data_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

void Buffer::reset() {
  // ctx_ is set whenever there is a buffer or memory to free.
  const bool leak = ctx_ && ctx_->abandoned();
  if (buffer_) ctx_->note_buffer_destroyed();
  if (buffer_ && !leak) vkDestroyBuffer(ctx_->device(), buffer_, nullptr);
  if (memory_ && !leak) vkFreeMemory(ctx_->device(), memory_, nullptr);  // unmaps implicitly
  buffer_ = VK_NULL_HANDLE;
  memory_ = VK_NULL_HANDLE;
  data_ = nullptr;
  size_ = 0;
}

bool GrowableBuffer::ensure(const Context& ctx, VkDeviceSize size) {
  if (size < 256) size = 256;
  if (buf_ && buf_.size() >= size) return false;
  VkDeviceSize grown = buf_ ? buf_.size() : 0;
  while (grown < size) grown = grown ? grown * 2 : size;
  // Growth never goes past what one descriptor can cover.
  grown = std::max<VkDeviceSize>(
      size, std::min<VkDeviceSize>(grown, ctx.properties().limits.maxStorageBufferRange - Buffer::kOverreadSlack));
  buf_ = Buffer(ctx, grown, usage_);
  return true;
}

Buffer BufferPool::take(const Context& ctx, VkDeviceSize size, VkBufferUsageFlags usage) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t i = 0; i < free_.size(); i++) {
      // Reuse a buffer that is big enough but not wastefully so.
      if (free_[i].usage == usage && free_[i].buf.size() >= size && free_[i].buf.size() <= 2 * size + 65536) {
        Buffer b = std::move(free_[i].buf);
        free_.erase(free_.begin() + long(i));
        return b;
      }
    }
  }
  return Buffer(ctx, size, usage);
}

void BufferPool::give(Buffer&& b, VkBufferUsageFlags usage) {
  if (!b) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (free_.size() >= 6) free_.erase(free_.begin());  // oldest goes
  free_.push_back({std::move(b), usage});
}

}  // namespace daedalus::dispatch::vk
