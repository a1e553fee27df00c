// Whichever ONNX Runtime a user picks, exactly one is on the runtime path, at one version.
def cpu = new File(basedir, 'target/runtime-dependencies.txt').text
def cuda = new File(basedir, 'target/cuda-tree.txt').text
def ort = ~/com\.microsoft\.onnxruntime:(onnxruntime(?:_gpu)?):jar:([0-9.]+)/
def found = { String text -> (text =~ ort).collect { [it[1], it[2]] }.unique() }
def cpuOrt = found(cpu)
def cudaOrt = found(cuda)
assert cpuOrt.size() == 1 && cpuOrt[0][0] == 'onnxruntime' : "default build: expected one onnxruntime, got ${cpuOrt}"
assert cudaOrt.size() == 1 && cudaOrt[0][0] == 'onnxruntime_gpu' : "-Pcuda: expected one onnxruntime_gpu, got ${cudaOrt}"
assert cpuOrt[0][1] == cudaOrt[0][1] : "CPU and GPU builds at different versions: ${cpuOrt} vs ${cudaOrt}"
return true
